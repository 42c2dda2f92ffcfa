"""A member with an open ballot logs in: the first thing under "Needs you now" on their home
page is that ballot, and its link opens the vote page. The page fits a phone, and the header's
member menu leads to their settings."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.ballots.services import ballot_open
from rankandfile.campaigns.services import pledge_create
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeCampaign, MakeGroup, MakeMember


def _scrolls_sideways(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_member_with_an_open_ballot_sees_it_first_and_opens_the_vote_page(
    page: Any, make_group: MakeGroup, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    group = make_group(name="Leeds Left", districts=["LS6"])
    organiser = group.memberships.get().member
    voter = make_member(email="voter@example.org", display_name="Red Robin", district="LS6")
    group_join(group=group, member=voter)
    campaign = make_campaign()
    pledge_create(stage=campaign.stages.get(number=1), member=voter, option_keys=["stop-dues"])
    make_group(name="Headingley Tenants", districts=["LS6"])
    ballot = ballot_open(
        ballot=ballot_make(organiser=organiser, group=group, title="Branch committee election")
    )

    log_in(page, "voter@example.org")
    page.goto("/")
    page.get_by_role("heading", name="Hello, Red Robin").wait_for()

    needs = page.get_by_role("list", name="Needs you now").get_by_role("listitem")
    assert needs.count() == 2  # the ballot, then the pledge
    first = needs.first
    assert "Branch committee election" in first.inner_text()
    assert "Leeds Left" in first.inner_text()
    assert "Publish the report" in needs.nth(1).inner_text()
    assert page.get_by_role("link", name="Headingley Tenants").is_visible()
    assert not _scrolls_sideways(page)
    assert serious_violations(page) == []

    page.set_viewport_size({"width": 1280, "height": 800})
    assert not _scrolls_sideways(page)
    menu = page.locator("details.member-menu")
    menu.locator("summary").click()
    assert menu.get_by_role("link", name="Email notifications").is_visible()
    assert menu.get_by_role("button", name="Log out").is_visible()
    page.keyboard.press("Escape")  # closes the menu, focus back on its button
    assert not menu.get_by_role("link", name="Email notifications").is_visible()
    assert menu.locator("summary").evaluate("s => s === document.activeElement")
    menu.locator("summary").click()
    page.get_by_role("heading", name="Needs you now").click()  # a click elsewhere closes it
    assert not menu.get_by_role("link", name="Email notifications").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})

    first.get_by_role("link").click()
    page.wait_for_url(f"**/ballots/{ballot.pk}/vote/")
    page.get_by_role("heading", name="Vote: Branch committee election").wait_for()
    nav = page.get_by_role("navigation", name="Sections")
    assert nav.get_by_role("link", name="Ballots").get_attribute("aria-current") == "true"

    nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("heading", name="Campaigns", exact=True).wait_for()
    assert page.get_by_role("link", name="Publish the report").is_visible()
    assert not _scrolls_sideways(page)
    assert serious_violations(page) == []
