"""A voter is shown a receipt code and told to write it down; the ballot comes back with a
problem; they fix it and vote. The code on the page never changed, and it is the one that finds
their ballot in the box."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from rankandfile.ballots.models import BallotPaper
from rankandfile.ballots.services import QuestionInput, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, receipt_code_shown
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db(transaction=True)
def test_the_receipt_code_shown_before_an_error_is_the_one_that_finds_the_ballot(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voter = make_member(email="voter@example.org")
    group_join(group=group, member=voter)
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            title="Branch election",
            questions=[
                QuestionInput(
                    text="Committee", method="scottish-stv", choices=["Ann", "Bob", "Cat"], seats=2
                ),
                QuestionInput(text="Strike on 1 May?", method="yesno"),
            ],
        )
    )
    log_in(page, "voter@example.org")
    page.goto(f"/ballots/{ballot.pk}/vote/")
    code = receipt_code_shown(page)

    # Ranks with a gap and the yes/no question unanswered: the ballot comes back.
    page.get_by_label("Rank for Ann").fill("1")
    page.get_by_label("Rank for Cat").fill("3")
    page.get_by_role("button", name="Cast my ballot").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("element => element === document.activeElement")
    assert "no gaps and no number used twice" in (summary.text_content() or "")
    assert page.get_by_label("Rank for Cat").input_value() == "3"  # what was typed stays
    assert page.locator("#receipt-code").text_content() == code
    assert page.locator("#receipt-renewed").is_hidden()
    assert not BallotPaper.objects.exists()
    assert serious_violations(page) == []

    # Fixed, and cast: the paper in the box carries the code that was shown all along.
    page.get_by_label("Rank for Cat").fill("2")
    page.get_by_label("Yes").check()
    assert page.locator("#receipt-code").text_content() == code
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot has been cast").wait_for()
    paper = BallotPaper.objects.get()
    assert paper.receipt_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert paper.contents == {"1": [1, 3], "2": "yes"}

    page.goto(f"/ballots/{ballot.pk}/receipt/")
    page.get_by_label("Receipt code").fill(code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot is in the box").wait_for()
