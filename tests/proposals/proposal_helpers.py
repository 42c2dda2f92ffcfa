"""Helpers for proposal tests: a group with members, an open proposal, a ballot voted through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.groups.models import Group, Membership
from rankandfile.proposals.models import Proposal
from rankandfile.proposals.services import (
    proposal_draft_create,
    proposal_open,
    proposal_settings_update,
)
from tests.ballots.ballot_helpers import receipt_hash, voters_make
from tests.personas import MakeGroup, MakeMember

MOTION = (
    "This branch calls on the council to build 500 council homes.\n\n"
    "We also ask for a rent freeze for three years."
)


@dataclass
class Branch:
    group: Group
    organiser: User
    proposer: User
    members: list[User]


def branch_make(
    make_member: MakeMember, make_group: MakeGroup, *, members: int = 6, threshold: int = 3
) -> Branch:
    """A group, its organiser, a proposer and ``members`` other members; proposals need
    ``threshold`` supporters within 28 days."""
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    proposer = make_member(display_name="Rosa Proposer")
    others = voters_make(group, members)
    Membership.objects.create(group=group, member=proposer)
    proposal_settings_update(
        organiser=organiser,
        group=group,
        threshold_kind="people",
        threshold_people=threshold,
        threshold_percent=5,
        support_days=28,
    )
    return Branch(group=group, organiser=organiser, proposer=proposer, members=others)


def proposal_opened(
    branch: Branch, *, text: str = MOTION, title: str = "Homes for all"
) -> Proposal:
    draft = proposal_draft_create(
        proposer=branch.proposer, group=branch.group, title=title, text=text
    )
    return proposal_open(proposal=draft, proposer=branch.proposer)


def ballot_vote_and_publish(
    ballot: Ballot, votes: Sequence[Mapping[str, str]], voters: Sequence[User]
) -> Ballot:
    """Each voter casts one paper of ``votes`` (question position to yes/no/abstain), then the
    ballot closes at its closing time and is counted and published by the ballots services."""
    voting = ballot.opens_at + timedelta(minutes=1)
    for voter, answers in zip(voters, votes, strict=False):
        ballot_cast(
            ballot=ballot, member=voter, receipt_hash=receipt_hash(), answers=answers, now=voting
        )
    return ballot_close(ballot=ballot, actor=None, now=ballot.closes_at + timedelta(minutes=1))


def later(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)
