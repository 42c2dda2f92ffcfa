from __future__ import annotations

from typing import Any

import pytest

from rankandfile.ballots.models import BallotPaper
from rankandfile.ballots.services import QuestionInput, ballot_close, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, receipt_code_shown
from tests.personas import MakeGroup, MakeMember


def _tab_to(page: Any, label: str, limit: int = 60) -> None:
    """Press Tab until the field labelled ``label`` has the focus (keyboard only, no clicks)."""
    target = page.get_by_label(label, exact=True)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {label!r}")


@pytest.mark.django_db(transaction=True)
def test_a_member_ranks_by_keyboard_votes_keeps_the_receipt_and_finds_the_ballot(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    organiser = group.memberships.get().member
    voter = make_member(email="voter@example.org")
    group_join(group=group, member=voter)
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            title="Branch committee election",
            questions=[
                QuestionInput(
                    text="Committee", method="scottish-stv", choices=["Ann", "Bob", "Cat"], seats=2
                ),
                QuestionInput(text="Strike on 1 May?", method="yesno"),
            ],
        )
    )

    log_in(page, "voter@example.org")

    page.goto(f"/ballots/{ballot.pk}/")
    assert page.get_by_text("No ballot has been cast in your name yet.").is_visible()
    page.get_by_role("link", name="Vote now").click()
    page.get_by_role("heading", name="Vote: Branch committee election").wait_for()
    code = receipt_code_shown(page)
    assert serious_violations(page) == []

    # Keyboard only: Tab to each rank, type it; Tab to the yes/no answer, Space; Enter to submit.
    _tab_to(page, "Rank for Ann")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Bob stays unranked
    page.keyboard.type("1")
    assert page.get_by_label("Rank for Cat").input_value() == "1"
    _tab_to(page, "Yes")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Your ballot has been cast").wait_for()
    paper = BallotPaper.objects.get()
    assert paper.contents == {"1": [3, 1], "2": "yes"}

    # Later: the ballot page says a ballot was cast in the member's name; the receipt finds it.
    page.goto(f"/ballots/{ballot.pk}/")
    assert page.get_by_text("A ballot has been cast in your name.").is_visible()
    page.get_by_role("link", name="Find your ballot by its receipt code").click()
    page.get_by_label("Receipt code").fill(code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot is in the box").wait_for()
    assert page.get_by_text("1. Cat").is_visible()
    assert page.get_by_text("2. Ann").is_visible()

    ballot_close(ballot=ballot, actor=organiser)
    page.goto(f"/ballots/{ballot.pk}/results/")
    page.get_by_role("heading", name="Results: Branch committee election").wait_for()
    assert page.locator(".transfer-chart .chart-name", has_text="Ann").is_visible()
    assert page.get_by_role("table").first.is_visible()
    assert serious_violations(page) == []
