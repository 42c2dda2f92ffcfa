"""From common ground to action in the browser: an organiser ticks a statement that unites the
groups on the opinion map, drafts a campaign with it as a demand, completes the draft form and
saves it; on a phone and on a desktop, with no serious axe violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rankandfile.campaigns.models import Campaign, CampaignState
from rankandfile.groups.services import group_join
from rankandfile.lib.urls import absolute_url
from rankandfile.opinions.services import conversation_create, map_recompute
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in_with_second_factor
from tests.conversations.map_helpers import COMMON_GROUND, SEEDS_WITH_COMMON_GROUND, camps_vote
from tests.personas import MakeGroup, MakeMember


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.django_db(transaction=True)
def test_an_organiser_turns_a_consensus_statement_into_a_campaign_demand(
    page: Any, make_member: MakeMember, make_group: MakeGroup, width: int
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(organiser=organiser)
    conversation = conversation_create(
        organiser=organiser,
        group=group,
        question="Stay and fight, or leave and build?",
        seed_statements=SEEDS_WITH_COMMON_GROUND,
    )

    def joined() -> Any:
        member = make_member()
        group_join(group=group, member=member)
        return member

    camps_vote(conversation, lambda _: joined(), each=6)
    map_recompute(conversation_id=conversation.pk)
    page.set_viewport_size({"width": width, "height": 900})

    log_in_with_second_factor(page, "organiser@example.org")
    page.goto(f"/conversations/{conversation.pk}/map/")
    page.get_by_role("heading", name="From common ground to action").wait_for()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_label(COMMON_GROUND[1]).check()
    page.get_by_role("button", name="Draft a campaign with these demands").click()

    page.get_by_role("heading", name=f"New campaign for {group.name}").wait_for()
    assert page.get_by_text("The statements you chose are the demands").is_visible()
    assert page.locator("#id_demands").input_value() == COMMON_GROUND[1]
    explanation = page.locator("#id_explanation").input_value()
    assert absolute_url(f"/conversations/{conversation.pk}/") in explanation
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#id_title").fill("Publish the report")
    page.locator("#id_target").fill("the party's national executive")
    page.locator("#id_stage1-title").fill("Withhold our subscriptions")
    deadline = timezone.localtime(timezone.now() + timedelta(days=30))
    page.locator("#id_stage1-deadline").fill(f"{deadline:%Y-%m-%dT%H:%M}")
    page.locator("#id_stage1-threshold_people").fill("100")
    page.locator("#id_stage1-options").fill("Cancel my direct debit")
    page.locator("#id_stage1-action_instructions").fill("Cancel your direct debit today.")
    page.get_by_role("button", name="Save as a draft").last.click()

    page.get_by_text("The campaign is saved as a draft").wait_for()
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.DRAFT and campaign.group == group
    assert list(campaign.demands.values_list("text", flat=True)) == [COMMON_GROUND[1]]
    assert campaign.explanation.replace("\r\n", "\n") == explanation
