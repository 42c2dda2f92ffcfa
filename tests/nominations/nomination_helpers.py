"""Helpers for nomination tests: a group with members and an open nominations period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.ballots.models import NominationPeriod
from rankandfile.ballots.nominations import nomination_period_create
from rankandfile.groups.models import Group
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember


@dataclass
class Branch:
    group: Group
    organiser: User
    members: list[User]
    period: NominationPeriod


def branch_with_nominations(
    make_member: MakeMember,
    make_group: MakeGroup,
    *,
    members: int = 6,
    seats: int = 1,
    seconders_needed: int = 1,
    closes_at: datetime | None = None,
) -> Branch:
    organiser = make_member(mfa=True, display_name="Olu Organiser")
    group = make_group(organiser=organiser)
    people = []
    for n in range(members):
        member = make_member(display_name=f"Member {chr(ord('A') + n)}")
        group_join(group=group, member=member)
        people.append(member)
    period = nomination_period_create(
        organiser=organiser,
        group=group,
        post="Branch secretary",
        seats=seats,
        seconders_needed=seconders_needed,
        closes_at=closes_at or timezone.now() + timedelta(days=7),
    )
    return Branch(group=group, organiser=organiser, members=people, period=period)
