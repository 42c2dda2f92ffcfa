"""Issue 18: a member nominates another, who accepts and writes a statement (previewed first);
an organiser opens nominations and closes them, and the ballot page shows the statements. No
serious axe violation on these pages, phone or desktop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rankandfile.ballots.models import Nomination, NominationPeriod
from rankandfile.ballots.nominations import (
    nomination_accept,
    nomination_create,
    nomination_period_create,
    nomination_second,
)
from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember


def _no_serious_violations(page: Any) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.django_db(transaction=True)
def test_a_member_nominates_another_who_accepts_and_writes_a_statement(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    period = nomination_period_create(
        organiser=group.memberships.get().member,
        group=group,
        post="Branch secretary",
        seconders_needed=1,
        closes_at=timezone.now() + timedelta(days=7),
    )
    nominator = make_member(email="nominator@example.org", display_name="Nia Nominator")
    nominee = make_member(email="nominee@example.org", display_name="Sam Standing")
    for member in (nominator, nominee):
        group_join(group=group, member=member)

    log_in(page, "nominator@example.org")
    page.goto("/ballots/")
    page.get_by_role("link", name="Nominations for Branch secretary").click()
    page.get_by_role("heading", name="Nominate a member").wait_for()
    _no_serious_violations(page)
    page.get_by_label("Member to nominate").select_option(label="Sam Standing")
    page.get_by_role("button", name="Nominate", exact=True).click()
    page.get_by_text("You have nominated Sam Standing.").wait_for()
    assert page.get_by_role("heading", name="Sam Standing").is_visible()
    _no_serious_violations(page)

    page.context.clear_cookies()
    log_in(page, "nominee@example.org")
    page.goto(period.get_absolute_url())
    page.get_by_role("link", name="Accept and write my statement").click()
    statement = "I have been our **rep** for five years.\n\n- Open meetings\n- Fair rotas"
    page.get_by_label("Your statement").fill(statement)
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview strong", has_text="rep").wait_for()
    _no_serious_violations(page)
    page.get_by_role("button", name="Accept the nomination").click()
    page.get_by_text("You have accepted the nomination").wait_for()
    card = page.locator(f"#nomination-{Nomination.objects.get(nominee=nominee).pk}")
    assert "Accepted" in (card.locator(".meta").text_content() or "")
    assert card.locator(".prose strong").text_content() == "rep"
    assert card.locator(".prose li").count() == 2
    _no_serious_violations(page)
    nomination = Nomination.objects.get(nominee=nominee)
    assert nomination.accepted_at is not None and nomination.statement == statement


@pytest.mark.django_db(transaction=True)
def test_an_organiser_opens_nominations_closes_them_and_the_ballot_shows_the_statements(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(name="Leeds Left", organiser=organiser)
    people = [make_member(display_name=name) for name in ("Ana", "Ben", "Cat")]
    for member in people:
        group_join(group=group, member=member)

    log_in_with_second_factor(page, "organiser@example.org")
    page.goto("/ballots/")
    page.get_by_role("link", name="Open nominations for a post in Leeds Left").click()
    page.get_by_label("The post").fill("Branch secretary")
    page.get_by_label("Seconders each nomination needs").fill("1")
    closes = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Nominations close").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    _no_serious_violations(page)
    page.get_by_role("button", name="Open nominations").click()
    page.get_by_text("Nominations are open.").wait_for()
    period = NominationPeriod.objects.get(group=group)
    ana, ben, cat = people
    for nominee, nominator, seconder in [(ana, ben, cat), (ben, cat, ana)]:
        nomination = nomination_create(period=period, nominator=nominator, nominee=nominee)
        nomination_second(nomination=nomination, seconder=seconder)
        nomination_accept(nomination=nomination, nominee=nominee, statement=f"*{nominee}* for us.")
    page.reload()
    _no_serious_violations(page)

    page.get_by_role("button", name="Close nominations now and open the ballot").click()
    page.get_by_role("button", name="Close nominations").click()
    page.get_by_role("heading", name="The candidates and their statements").wait_for()
    assert page.locator("#candidate-1 .prose em").count() == 1
    assert page.locator("#candidate-2 .prose em").count() == 1
    _no_serious_violations(page)
