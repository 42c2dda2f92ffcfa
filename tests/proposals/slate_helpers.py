"""Helpers for slate tests: a group with applicants, a slate, its ballot voted through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.groups.models import Group, Membership
from rankandfile.proposals.models import Slate
from rankandfile.proposals.slates import slate_apply, slate_create, slates_resolve_due
from tests.ballots.ballot_helpers import receipt_hash
from tests.personas import MakeGroup, MakeMember

APPLICANTS = ("Ada Applicant", "Bea Applicant", "Cleo Applicant", "Dev Applicant")


@dataclass
class SlateWorld:
    group: Group
    organiser: User
    applicants: list[User]
    slate: Slate


def slate_opened(
    make_member: MakeMember,
    make_group: MakeGroup,
    *,
    places: int = 2,
    names: Sequence[str] = APPLICANTS,
    visibility: str = "public",
) -> SlateWorld:
    """A group whose organiser opened a slate closing in a day; each of ``names`` a member who
    applied, in that order (their candidate numbers on the ballot)."""
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, visibility=visibility)
    slate = slate_create(
        organiser=organiser,
        group=group,
        title="Left slate for the NEC",
        election="the party's national executive",
        places=places,
        applications_close_at=timezone.now() + timedelta(days=1),
    )
    applicants = []
    for name in names:
        applicant = make_member(display_name=name)
        Membership.objects.create(group=group, member=applicant)
        slate_apply(slate=slate, member=applicant, statement=f"I am {name}. **Vote** for me.")
        applicants.append(applicant)
    return SlateWorld(group=group, organiser=organiser, applicants=applicants, slate=slate)


def after_applications(slate: Slate) -> datetime:
    return slate.applications_close_at + timedelta(minutes=1)


def slate_balloted(slate: Slate) -> Ballot:
    """The clock, once applications have closed: the slate's ballot, opened."""
    slates_resolve_due(now=after_applications(slate))
    slate.refresh_from_db()
    assert slate.ballot is not None
    return slate.ballot


def rankings_cast_and_published(
    ballot: Ballot, rankings: Sequence[Sequence[int]], voters: Sequence[User]
) -> Ballot:
    """Each voter ranks candidates by number (question 1), then the ballot closes at its
    closing time and the ballots services count and publish it."""
    voting = ballot.opens_at + timedelta(minutes=1)
    for voter, ranking in zip(voters, rankings, strict=True):
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": list(ranking)},
            now=voting,
        )
    return ballot_close(ballot=ballot, actor=None, now=ballot.closes_at + timedelta(minutes=1))
