"""An organiser applies for their group to join the network; a network coordinator, on a phone,
opens the queue from the account menu, is told a decline needs a reason, approves the
application, and the group's page shows the network's badge. The organiser's affiliation page,
the queue, the decision page and a group's member list have no serious axe violations."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.accounts.models import Skill
from rankandfile.groups.models import Affiliation, AffiliationStatus, Membership
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_approves_an_application_and_the_group_shows_the_badge(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True, display_name="Olwen")
    group = make_group(organiser=organiser, name="Leeds Tenants Union", districts=["LS6", "LS2"])
    coordinator = make_member(
        email="coordinator@example.org", coordinator=True, display_name="Cora"
    )
    listed = make_member(display_name="Rosa Listed")
    listed.skills.add(Skill.objects.create(slug="phone-banking-t", name="Phone banking"))
    Membership.objects.create(group=group, member=coordinator)
    Membership.objects.create(group=group, member=listed, listed=True)

    log_in_with_second_factor(page, "organiser@example.org")
    page.goto(f"/groups/{group.slug}/manage/")
    page.get_by_role("link", name="Affiliation to the network").click()
    page.get_by_label("Statement (optional)").fill("We organise renters across north Leeds.")
    page.get_by_role("button", name="Apply to join the network").click()
    page.get_by_text("The application has been sent").wait_for()
    assert page.get_by_text("is waiting for a network coordinator").is_visible()
    assert serious_violations(page) == []
    assert _no_sideways_scroll(page)
    page.context.clear_cookies()  # the organiser is done; the coordinator logs in

    log_in_with_second_factor(page, "coordinator@example.org")
    page.get_by_text("Your account").click()
    page.get_by_role("link", name="Applications to join the network").click()
    page.get_by_role("heading", name="Applications to join the network").wait_for()
    assert page.get_by_text("1 application waiting").is_visible()
    assert serious_violations(page) == []
    assert _no_sideways_scroll(page)

    page.get_by_role("link", name="Decide on Leeds Tenants Union").click()
    page.get_by_text("We organise renters across north Leeds.").wait_for()
    page.get_by_role("button", name="Decline").click()
    page.get_by_text("Give a reason for declining").first.wait_for()
    assert Affiliation.objects.get().status == AffiliationStatus.PENDING
    assert serious_violations(page) == []

    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Leeds Tenants Union is now affiliated to the network").wait_for()
    assert Affiliation.objects.get().status == AffiliationStatus.APPROVED

    page.goto(group.get_absolute_url())
    badge = page.locator(".badge", has_text="Affiliated to the network")
    assert badge.is_visible()

    page.get_by_role("link", name="Members who chose to be listed").click()
    page.get_by_role("heading", name="1 member listed").wait_for()
    assert page.get_by_text("Phone banking").is_visible()
    assert serious_violations(page) == []
    assert _no_sideways_scroll(page)
    page.get_by_role("button", name="Put me on the list").click()
    page.get_by_role("heading", name="2 members listed").wait_for()
