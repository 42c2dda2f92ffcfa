from __future__ import annotations

from typing import Any

import pytest

from rankandfile.campaigns.backings import backing_group_create, backing_member_set
from rankandfile.campaigns.models import Backing
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeCampaign, MakeGroup, MakeMember


@pytest.mark.django_db(transaction=True)
def test_a_member_finds_a_campaign_to_back_and_backs_it_with_their_name_hidden(
    page: Any, make_member: MakeMember, make_group: MakeGroup, make_campaign: MakeCampaign
) -> None:
    make_group(name="Manchester Renters", kind="campaign", districts=["M1"])
    target = make_group(name="End Zero Hours", kind="campaign", districts=["LS6"])
    organiser = make_member(mfa=True)
    backing_group_create(
        target=target,
        group=make_group(name="Leeds Branch", organiser=organiser),
        organiser=organiser,
    )
    backing_group_create(
        target=target,
        group=make_group(name="Hidden Caucus", visibility="hidden", organiser=organiser),
        organiser=organiser,
    )
    backing_member_set(target=target, member=make_member(display_name="Open Otter"), show_name=True)
    make_member(email="backer@example.org", display_name="Shy Shrew", district="LS2")
    log_in(page, "backer@example.org")

    page.goto("/backing/")
    page.get_by_text("Nearest to LS2 first.").wait_for()
    assert page.locator(".card h2").all_inner_texts() == ["End Zero Hours", "Manchester Renters"]
    assert serious_violations(page) == []

    page.get_by_role("link", name="End Zero Hours").click()
    backing = page.locator("#backing")
    backing.get_by_text("Backed by 2 groups and 1 member.").wait_for()
    assert "Leeds Branch and 1 other group" in backing.inner_text()
    assert "Hidden Caucus" not in page.content()
    assert serious_violations(page) == []

    label = "Show my display name on the campaign's page"
    assert not backing.get_by_label(label).is_checked()
    backing.get_by_role("button", name="Back it").click()
    page.get_by_text("You are counted, and your name is not shown.").first.wait_for()
    page.locator("#backing").get_by_text("Backed by 2 groups and 2 members.").wait_for()
    assert "Shy Shrew" not in page.locator("#backing").inner_text()
    assert Backing.objects.get(member__email="backer@example.org").show_name is False
    assert serious_violations(page) == []

    # A pressure campaign's page has the same section, as accessible.
    campaign = make_campaign()
    page.goto(campaign.get_absolute_url())
    page.locator("#backing").get_by_text("Nobody backs it yet.").wait_for()
    page.locator("#backing").get_by_label(label).check()
    page.locator("#backing").get_by_role("button", name="Back it").click()
    page.get_by_text("Your display name is shown on its page.").first.wait_for()
    assert "Shy Shrew" in page.locator("#backing").inner_text()
    assert serious_violations(page) == []
