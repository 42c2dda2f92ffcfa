"""Reads about outgoing email: outbox counts for operators, members' preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group, Membership
from rankandfile.notifications.kinds import OPTIONAL_KINDS
from rankandfile.notifications.models import (
    SENDABLE,
    Frequency,
    KindOptOut,
    Message,
    MessageStatus,
    Preference,
)
from rankandfile.notifications.rendering import member_id_for_unsubscribe_token


def outbox_counts() -> dict[str, int]:
    """How many messages are in each status, every status present (zero if none)."""
    counts = {status.value: 0 for status in MessageStatus}
    for row in Message.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def outbox_overdue_count() -> int:
    """Queued messages due more than five minutes ago: the worker is down or behind."""
    cutoff = timezone.now() - timedelta(minutes=5)
    return Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lt=cutoff).count()


def outbox_unsent() -> tuple[int, datetime | None]:
    """How many messages wait to be sent (queued, or failed and to be retried), and when the
    oldest of them was queued (None if none waits). Held messages wait for a digest by design
    and are not counted."""
    row = Message.objects.filter(status__in=SENDABLE).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    return row["n"], row["oldest"]


# Of a message, only these ever reach the outbox page: never its recipient, its key (which
# names the member), its context (names, addresses, links) or its group (counting one group's
# "pledge triggered" messages would be counting its pledgers).
OUTBOX_PAGE_FIELDS = (
    "pk",
    "template",
    "message_class",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
    "sent_at",
    "last_error",
)


@dataclass(frozen=True, kw_only=True)
class OutboxFilters:
    kind: str = ""  # a template name, "" for every kind
    status: str = ""  # a MessageStatus, "" for every status


def outbox_messages(filters: OutboxFilters = OutboxFilters()) -> QuerySet[Message]:
    """Messages for the operators' outbox page, the newest first, with only the fields that
    say how the queue is doing (``OUTBOX_PAGE_FIELDS``)."""
    messages = Message.objects.only(*OUTBOX_PAGE_FIELDS)
    if filters.kind:
        messages = messages.filter(template=filters.kind)
    if filters.status:
        messages = messages.filter(status=filters.status)
    return messages.order_by("-created_at", "-pk")


def member_for_unsubscribe_token(token: str) -> User | None:
    member_id = member_id_for_unsubscribe_token(token)
    if member_id is None:
        return None
    return User.objects.filter(pk=member_id, is_active=True).first()


@dataclass(frozen=True)
class PreferenceRow:
    group: Group
    frequency: str


def preferences_for_member(member: User) -> list[PreferenceRow]:
    """One row per group the member belongs to, with their choice (every message by default)."""
    chosen = dict(Preference.objects.filter(member=member).values_list("group_id", "frequency"))
    memberships = (
        Membership.objects.filter(member=member).select_related("group").order_by("group__name")
    )
    return [
        PreferenceRow(group=m.group, frequency=chosen.get(m.group_id, Frequency.IMMEDIATE))
        for m in memberships
    ]


@dataclass(frozen=True)
class KindChoice:
    kind: str
    label: str
    wanted: bool


def message_kinds_for_member(member: User) -> list[KindChoice]:
    """The kinds of message the member may turn off, each with whether they get it."""
    off = set(KindOptOut.objects.filter(member=member).values_list("kind", flat=True))
    return [KindChoice(kind, label, kind not in off) for kind, label in OPTIONAL_KINDS.items()]
