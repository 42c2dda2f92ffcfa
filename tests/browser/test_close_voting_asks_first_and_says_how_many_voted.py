"""An organiser who presses "Close voting now and count" is asked first, on a page that says
how many on the roll have voted and what closing does; cancelling leaves voting open."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.ballots.models import Ballot, BallotState
from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_open
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in_with_second_factor
from tests.personas import MakeGroup


@pytest.mark.django_db(transaction=True)
def test_closing_voting_asks_first_and_says_how_many_have_voted(
    page: Any, make_group: MakeGroup
) -> None:
    group = make_group(name="Leeds Left")
    organiser = group.memberships.get().member
    voters = voters_make(group, 4)  # with the organiser, 5 on the roll
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            title="Strike ballot",
            questions=[QuestionInput(text="Strike on 1 May?", method="yesno")],
        )
    )
    for voter in voters[:3]:
        ballot_cast(ballot=ballot, member=voter, receipt_hash=receipt_hash(), answers={"1": "yes"})

    log_in_with_second_factor(page, organiser.email)
    page.goto(f"/ballots/{ballot.pk}/")
    page.get_by_role("button", name="Close voting now and count").click()
    page.get_by_role("heading", name="Close voting on “Strike ballot” now and count?").wait_for()
    assert page.get_by_text("3 of 5 members on the roll have voted.").is_visible()
    assert page.get_by_text("nobody else can vote").is_visible()
    assert page.get_by_text("This cannot be undone.").is_visible()
    assert serious_violations(page) == []
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.OPEN

    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("heading", name="Strike ballot").wait_for()
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.OPEN

    page.get_by_role("button", name="Close voting now and count").click()
    page.get_by_role("button", name="Close voting and count").click()
    page.get_by_role("heading", name="Results: Strike ballot").wait_for()
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.PUBLISHED
    assert page.get_by_text("3 of 5 members on the roll voted").is_visible()
    assert page.get_by_text("Yes: 3 (100.0%)").is_visible()
    assert serious_violations(page) == []
