"""The receipt code is shown once and kept only in the page's memory: after voting, nothing the
browser stores for the site (sessionStorage, localStorage, cookies) holds it."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.ballots.models import BallotPaper
from rankandfile.ballots.services import QuestionInput, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.browser.steps import log_in, receipt_code_shown
from tests.personas import MakeGroup, MakeMember

STORED = """() => JSON.stringify({
    session: Object.keys(sessionStorage).map(k => [k, sessionStorage.getItem(k)]),
    local: Object.keys(localStorage).map(k => [k, localStorage.getItem(k)]),
    cookies: document.cookie,
})"""


@pytest.mark.django_db(transaction=True)
def test_after_voting_the_browser_stores_no_receipt_code(
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
            questions=[QuestionInput(text="Strike on 1 May?", method="yesno")],
        )
    )
    log_in(page, "voter@example.org")

    page.goto(f"/ballots/{ballot.pk}/vote/")
    code = receipt_code_shown(page)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot has been cast").wait_for()
    assert BallotPaper.objects.filter(ballot=ballot).count() == 1

    stored = page.evaluate(STORED)
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert code not in page.content()
