from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rankandfile.lib.admin import LockedModelAdmin
from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.notifications.sending import messages_retry_dead


@admin.register(Message)
class MessageAdmin(LockedModelAdmin[Message]):
    # The context (names, links), the recipient and the idempotency key (which names the
    # member) are deliberately not shown: who was sent a "pledge triggered" message is who
    # pledged. Operators need the state of the queue and the reason for a failure, not that.
    # Not filtered by template: the messages of one ballot's or one stage's event were its
    # roll, or its pledgers, and a filter by kind is the first half of rebuilding that list.
    list_display = ["id", "template", "message_class", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "message_class"]
    fields = (
        "template",
        "message_class",
        "group",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["retry_dead"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Retry the selected dead letters")
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        ids = queryset.filter(status=MessageStatus.DEAD).values_list("pk", flat=True)
        count = messages_retry_dead(ids=list(ids))
        self.message_user(request, f"{count} dead letters queued again.")
