"""Pieces shared by the outbox tests: task settings, consents, a queued campaign update and a
queued service message."""

from __future__ import annotations

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.groups.models import Group
from rankandfile.notifications.models import Message, MessageClass
from rankandfile.notifications.services import message_enqueue

# django.tasks runs each job as soon as it is queued (in tests, at the commit).
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# A member who takes campaign email.
CAMPAIGNER = [ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL]


def ballot_opened(
    member: User, n: int = 1, *, title: str = "Delegates", group: Group | None = None
) -> Message | None:
    """Queue the service message that ballot ``n`` is open to ``member``."""
    return message_enqueue(
        key=f"ballot:{n}:opened:member:{member.pk}",
        kind=MessageClass.SERVICE,
        recipient=member,
        template="ballot_opened",
        context={"ballot_title": title, "ballot_url": f"http://127.0.0.1:8000/b/{n}/"},
        group=group,
    )


def campaign_update(member: User, group: Group, n: int = 1) -> Message | None:
    """Queue update ``n`` of ``group`` to ``member``; None if the member's choices stop it."""
    return message_enqueue(
        key=f"group:{group.pk}:update:{n}:member:{member.pk}",
        kind=MessageClass.CAMPAIGN,
        recipient=member,
        template="campaign_update",
        context={"group_name": group.name, "title": f"Update {n}", "body": f"Body {n}."},
        group=group,
    )
