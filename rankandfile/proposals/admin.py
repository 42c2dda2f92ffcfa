from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rankandfile.accounts.decorators import request_member
from rankandfile.lib.admin import LockedModelAdmin
from rankandfile.proposals.comments import comments_remove_by_admin
from rankandfile.proposals.models import Comment, Proposal

# Supports are deliberately not registered: who supports a proposal is never shown, to anyone.
# Everything about a proposal changes only through the services (its versions, its threshold,
# its ballot), so both admins here are read-only; comments can be removed, through the service,
# which audits the removal.


@admin.register(Proposal)
class ProposalAdmin(LockedModelAdmin[Proposal]):
    """Proposals to look at; they draft, open, amend, go to a ballot and are decided only
    through the services."""

    list_display = ["title", "group", "state", "version_number", "created_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    fields = (
        "title",
        "group",
        "state",
        "proposer",
        "version_number",
        "text",
        "created_at",
        "opened_at",
        "support_threshold",
        "support_deadline",
        "discussion_closes_at",
        "threshold_reached_at",
        "ballot",
        "decided_at",
        "result_note",
        "result_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Proposal | None = None) -> bool:
        return False


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", "Reported, not removed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() == "yes":
            return queryset.filter(reported_count__gt=0, deleted=False)
        return queryset


@admin.action(description="Remove the selected comments (replies stay)", permissions=["change"])
def remove_comments(
    modeladmin: CommentAdmin, request: HttpRequest, queryset: QuerySet[Comment]
) -> None:
    removed = comments_remove_by_admin(comments=list(queryset), admin=request_member(request))
    modeladmin.message_user(request, f"{removed} comments removed.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(LockedModelAdmin[Comment]):
    """Comments, the reported ones first; read-only. Removing one goes through the service,
    which keeps its place in the thread and audits an organiser's or admin's removal."""

    list_display = ["pk", "proposal", "text", "reported_count", "deleted", "created_at"]
    list_filter = [ReportedFilter, "deleted"]
    search_fields = ["text"]
    ordering = ["-reported_count", "-created_at"]
    fields = (
        "proposal",
        "parent",
        "author",
        "text",
        "created_at",
        "edited_at",
        "deleted",
        "reported_count",
    )
    readonly_fields = fields
    actions = [remove_comments]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False
