"""Reads about outgoing email: outbox counts for operators, members' preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group, Membership
from rankandfile.notifications.models import Frequency, Message, MessageStatus, Preference
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
