from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rankandfile.accounts.decorators import request_member
from rankandfile.lib.admin import LockedModelAdmin
from rankandfile.opinions.models import Conversation, Statement, StatementStatus
from rankandfile.opinions.services import statements_moderate_by_admin

# Participants, votes and maps are deliberately not registered: while a conversation is open a
# participant carries its member's key, and nobody, admins included, may see how a member voted.
# A statement's author is never shown either (the fields below leave it out).


@admin.register(Conversation)
class ConversationAdmin(LockedModelAdmin[Conversation]):
    """Conversations open, close and publish their maps only through the services (which
    forget the member keys at the close and queue the recompute); only the wording may be
    corrected here."""

    list_display = ["question", "group", "state", "moderation", "closes_at", "map_published"]
    list_filter = ["state", "map_published"]
    search_fields = ["question"]
    fields = [
        "question",
        "description",
        "group",
        "state",
        "moderation",
        "closes_at",
        "closed_at",
        "map_published",
        "created_by",
        "created_at",
    ]
    readonly_fields = [
        "group",
        "state",
        "moderation",
        "closes_at",
        "closed_at",
        "map_published",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        return False


Action = Callable[["StatementAdmin", HttpRequest, QuerySet[Statement]], None]


def _moderate(status: str, description: str) -> Action:
    @admin.action(description=description, permissions=["change"])
    def action(
        modeladmin: StatementAdmin, request: HttpRequest, queryset: QuerySet[Statement]
    ) -> None:
        changed = statements_moderate_by_admin(
            statements=list(queryset), admin=request_member(request), status=status
        )
        modeladmin.message_user(request, f"{changed} statements marked {status}.", messages.SUCCESS)

    action.__name__ = f"moderate_{status}"
    return action


@admin.register(Statement)
class StatementAdmin(LockedModelAdmin[Statement]):
    """Moderation from the admin site, through the service (audited, map recomputed); the
    statement itself is read-only, and its author is never shown."""

    list_display = ["number", "text", "status", "conversation", "is_seed"]
    list_filter = ["status"]
    search_fields = ["text"]
    fields = ("conversation", "number", "text", "status", "is_seed", "priority")
    readonly_fields = fields
    actions = [
        _moderate(StatementStatus.ACCEPTED, "Accept the selected statements"),
        _moderate(StatementStatus.REJECTED, "Reject the selected statements"),
        _moderate(StatementStatus.META, "Mark the selected statements as meta"),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Statement | None = None) -> bool:
        return False
