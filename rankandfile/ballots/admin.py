from django.contrib import admin
from django.http import HttpRequest

from rankandfile.ballots.models import Ballot, Choice, Question
from rankandfile.lib.admin import LockedModelAdmin


class QuestionInline(admin.TabularInline[Question, Ballot]):
    model = Question
    fields = ("position", "text", "method", "seats", "quorum", "threshold")
    readonly_fields = ("position", "text", "method", "seats", "quorum", "threshold")
    extra = 0
    can_delete = False


@admin.register(Ballot)
class BallotAdmin(LockedModelAdmin[Ballot]):
    """Read-only: ballots are created, opened, closed and counted only through their services.

    The roll and the ballot box are deliberately not in the admin at all: who is on which roll is
    membership data, and the papers are read only by the count and by receipt holders.
    """

    list_display = [
        "title",
        "group",
        "state",
        "opens_at",
        "closes_at",
        "roll_size",
        "voted_count",
        "close_failed_at",
    ]
    # A ballot the clock could not close and count (see ballots_close_due) shows here.
    list_filter = ["state", ("close_failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Ballot | None = None) -> list[str]:
        return [f.name for f in Ballot._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ballot | None = None) -> bool:
        return False


@admin.register(Choice)
class ChoiceAdmin(LockedModelAdmin[Choice]):
    list_display = ["name", "question", "position"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Choice | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Choice | None = None) -> bool:
        return False
