from __future__ import annotations

from typing import Any

import pytest

from rankandfile.ballots.models import BallotPaper
from rankandfile.ballots.services import QuestionInput, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db(transaction=True)
def test_dragging_a_candidate_up_renumbers_the_ranks(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voter = make_member(email="dragger@example.org")
    group_join(group=group, member=voter)
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            questions=[QuestionInput(text="Chair", method="irv", choices=["Ann", "Bob", "Cat"])],
        )
    )
    log_in(page, "dragger@example.org")

    page.goto(f"/ballots/{ballot.pk}/vote/")
    page.get_by_label("Rank for Ann").fill("1")
    page.get_by_label("Rank for Bob").fill("2")
    items = page.locator(".ranking-item")
    items.nth(1).drag_to(items.nth(0), target_position={"x": 5, "y": 2})
    assert page.get_by_label("Rank for Bob").input_value() == "1"
    assert page.get_by_label("Rank for Ann").input_value() == "2"
    assert page.get_by_label("Rank for Cat").input_value() == ""
    page.wait_for_function("() => document.querySelector('[name=receipt_hash]').value.length")
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot has been cast").wait_for()
    assert BallotPaper.objects.get().contents == {"1": [2, 1]}
