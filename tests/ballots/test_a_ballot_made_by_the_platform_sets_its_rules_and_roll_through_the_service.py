"""A campaign's verdict is an ordinary ballot made through ``ballots.services``: the service
takes the rules it needs (no early close, roll forgotten at the close) and an explicit roll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rankandfile.ballots.models import BallotState, RollEntry
from rankandfile.ballots.services import (
    BallotContentError,
    QuestionInput,
    ballot_create,
    ballot_open,
)
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_the_platform_makes_a_ballot_with_its_own_rules_and_an_explicit_roll(
    make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    pledger = make_member(email="pledger@example.org")
    now = timezone.now()
    ballot = ballot_create(
        creator=None,
        group=group,
        title="Verdict: rent strike, stage 1",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        questions=[QuestionInput(text="Were the demands met?", method="yesno", quorum=1)],
        closes_early_allowed=False,
        roll_kept_after_close=False,
    )
    assert ballot.created_by is None
    assert (ballot.closes_early_allowed, ballot.roll_kept_after_close) == (False, False)
    opened = ballot_open(ballot=ballot, now=now, member_ids=[pledger.pk])
    assert opened.state == BallotState.OPEN
    # The pledger is on the roll; the group's organiser, who did not pledge, is not.
    assert list(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True)) == [
        pledger.pk
    ]


@pytest.mark.django_db
def test_a_ballot_made_by_the_platform_has_its_texts_checked_like_any_other(
    make_group: MakeGroup,
) -> None:
    now = timezone.now()
    with pytest.raises(BallotContentError):
        ballot_create(
            creator=None,
            group=make_group(),
            title="Verdict\u202e",
            opens_at=now,
            closes_at=now + timedelta(days=7),
            questions=[QuestionInput(text="Were the demands met?", method="yesno")],
        )
