"""The ladder has as many stages as the organiser adds (up to a limit), without script: "Add
another stage" and "Remove" send the form back with a row more or less, keeping what was typed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.campaigns.errors import CampaignError
from rankandfile.campaigns.models import STAGES_MOST, Campaign
from rankandfile.campaigns.services import campaign_create, campaign_open
from tests.campaigns.draft_form import campaign_fields, stage_fields
from tests.personas import MakeGroup, MakeMember, login_with_second_factor, stage_inputs


@pytest.mark.django_db
def test_a_campaign_with_three_stages_is_drafted_opened_and_shows_all_three(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("campaigns:new", kwargs={"group_slug": group.slug})
    assert "stage2-title" not in client.get(url).content.decode()  # one stage to start with

    typed = campaign_fields() | stage_fields(1, "Withhold subscriptions", days=10)
    two = client.post(url, typed | {"stage_count": "1", "add_stage": "yes"})
    page = two.content.decode()
    assert "stage2-title" in page and "stage3-title" not in page
    assert 'value="Withhold subscriptions"' in page  # what was typed is kept
    assert "There is a problem" not in page  # adding a row is not a failed save
    three = client.post(
        url,
        typed | stage_fields(2, "Wrong one", days=15) | {"stage_count": "2", "add_stage": "yes"},
    )
    assert "stage3-title" in three.content.decode()
    removed = client.post(
        url,
        typed
        | stage_fields(2, "Wrong one", days=15)
        | stage_fields(3, "Leave together", days=30)
        | {"stage_count": "3", "remove_stage": "2"},
    )
    page = removed.content.decode()
    assert "Wrong one" not in page and 'value="Leave together"' in page  # now stage 2

    saved = client.post(
        url,
        typed
        | stage_fields(2, "Picket the conference", days=20)
        | stage_fields(3, "Leave together", days=30)
        | {"stage_count": "3", "save": ""},
    )
    campaign = Campaign.objects.get()
    assert saved["Location"] == reverse("campaigns:manage", kwargs={"slug": campaign.slug})
    stage = campaign.stages.get(number=1)
    option = stage.options.get(asks_amount=True)
    assert option.label == "Stop paying my subscription"
    assert option.amount_label == "Amount you will stop paying each month (£)"

    campaign_open(campaign=campaign, organiser=organiser)
    page = Client().get(campaign.get_absolute_url()).content.decode()
    assert "Stage 1 of 3: Withhold subscriptions" in page
    for number, title in enumerate(
        ["Withhold subscriptions", "Picket the conference", "Leave together"], 1
    ):
        assert f"Stage {number}: {title}" in page
    assert "<progress" in page and "Fewer than 5 of 100 pledged" in page


@pytest.mark.django_db
def test_the_ladder_is_at_most_ten_stages_long(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    first = stage_inputs()[0]
    ladder = [
        replace(first, deadline=timezone.now() + timedelta(days=n))
        for n in range(1, STAGES_MOST + 2)
    ]
    words = {"title": "Long", "target": "them", "explanation": "Why.", "demands": ["One"]}
    with pytest.raises(CampaignError, match="at most 10 stages"):
        campaign_create(organiser=organiser, group=group, stages=ladder, **words)
    campaign = campaign_create(
        organiser=organiser, group=group, stages=ladder[:STAGES_MOST], **words
    )
    assert campaign.stages.count() == STAGES_MOST

    client = Client()
    login_with_second_factor(client, organiser)
    full = {"stage_count": str(STAGES_MOST), "add_stage": "yes"}
    page = client.post(reverse("campaigns:new", kwargs={"group_slug": group.slug}), full)
    assert len(page.context["stage_forms"]) == STAGES_MOST
    assert "Add another stage" not in page.content.decode()
