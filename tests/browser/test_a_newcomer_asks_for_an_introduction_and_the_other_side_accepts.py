"""Issue 19: a newcomer asks for an introduction (to members with a skill near a district, and
to a group), the other side logs in and accepts, and both then see each other's contact. No
serious axe violations on the introduction pages, phone or desktop."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Skill
from rankandfile.introductions.services import introduction_contact_set
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember

WITH_INTRODUCTIONS = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)


def _no_serious_violations(page: Any) -> None:
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_finds_someone_with_a_skill_nearby_who_accepts(
    page: Any, make_member: MakeMember
) -> None:
    helper = make_member(
        email="helper@example.org",
        display_name="Hana Helper",
        district="LS6",
        consents=WITH_INTRODUCTIONS,
    )
    # Seeded by a migration, but a transactional test before this one may have emptied the table.
    canvassing, _ = Skill.objects.get_or_create(
        slug="canvassing", defaults={"name": "Canvassing and door-knocking"}
    )
    helper.skills.add(canvassing)
    introduction_contact_set(member=helper, method="phone", phone="07700 900123")
    make_member(
        email="newcomer@example.org",
        display_name="Nat Newcomer",
        district="LS2",
        consents=WITH_INTRODUCTIONS,
    )

    log_in(page, "newcomer@example.org")
    page.goto("/introductions/")
    page.get_by_role("link", name="Find people with a skill").click()
    page.get_by_role("heading", name="Find people with a skill").wait_for()
    _no_serious_violations(page)
    page.get_by_label("Skill").select_option(label="Canvassing and door-knocking")
    page.get_by_label("Near postcode district").fill("LS2")
    page.get_by_label("Within").select_option("10 km")
    page.get_by_label("Your message").fill("Can anyone show me how to canvass in Woodhouse?")
    page.get_by_role("button", name="Ask for an introduction").click()
    page.get_by_text("Your request has gone to members who offer this skill").wait_for()
    assert "Hana Helper" not in page.content()
    _no_serious_violations(page)

    page.context.clear_cookies()
    log_in(page, "helper@example.org")
    page.get_by_text("Introduction: waiting for your answer").wait_for()
    page.get_by_role("link", name="Nat Newcomer: Someone offering").click()
    page.get_by_text("Can anyone show me how to canvass in Woodhouse?").wait_for()
    assert "newcomer@example.org" not in page.content()
    _no_serious_violations(page)
    page.get_by_role("button", name="Accept the request from Nat Newcomer").click()
    page.get_by_text("Accepted: you can now see each other's contact details.").wait_for()
    page.get_by_role("link", name="newcomer@example.org").wait_for()
    _no_serious_violations(page)

    page.context.clear_cookies()
    log_in(page, "newcomer@example.org")
    page.goto("/introductions/")
    page.get_by_text("Accepted by Hana Helper.").wait_for()
    page.get_by_role("link", name="07700900123").wait_for()
    _no_serious_violations(page)


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_asks_a_group_and_an_organiser_accepts(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(
        email="organiser@example.org",
        display_name="Olu Organiser",
        mfa=True,
        consents=WITH_INTRODUCTIONS,
    )
    make_group(organiser=organiser, name="Headingley Tenants")
    make_member(
        email="newcomer@example.org", display_name="Nat Newcomer", consents=WITH_INTRODUCTIONS
    )

    log_in(page, "newcomer@example.org")
    page.goto("/groups/")
    page.get_by_role("link", name="Headingley Tenants").click()
    page.get_by_role("link", name="Ask for an introduction").click()
    page.get_by_role("heading", name="Ask for an introduction to Headingley Tenants").wait_for()
    page.get_by_role("button", name="Ask for an introduction").click()
    page.get_by_role("link", name="Write a short message saying who you are").wait_for()
    _no_serious_violations(page)
    page.get_by_label("Your message").fill("I rent on Cardigan Road and want to get involved.")
    page.get_by_role("button", name="Ask for an introduction").click()
    page.get_by_text("Your request has gone to the organisers of Headingley Tenants.").wait_for()

    page.context.clear_cookies()
    log_in_with_second_factor(page, "organiser@example.org")
    page.goto("/groups/")
    page.get_by_role("link", name="Headingley Tenants").click()
    page.get_by_role("link", name="Requests for introductions to the group").click()
    page.get_by_text("I rent on Cardigan Road and want to get involved.").wait_for()
    _no_serious_violations(page)
    page.get_by_role("button", name="Accept the request from Nat Newcomer").click()
    page.get_by_role("link", name="newcomer@example.org").wait_for()

    page.context.clear_cookies()
    log_in(page, "newcomer@example.org")
    page.goto("/introductions/")
    page.get_by_text("Accepted by Olu Organiser for Headingley Tenants.").wait_for()
    page.get_by_role("link", name="organiser@example.org").wait_for()
    _no_serious_violations(page)
