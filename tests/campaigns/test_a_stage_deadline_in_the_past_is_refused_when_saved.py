"""A stage whose deadline has passed is refused when the draft is saved, by the form (beside
the field) and by the service, so that a saved draft can always be opened."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.campaigns.errors import CampaignError
from rankandfile.campaigns.models import Campaign, CampaignState
from rankandfile.campaigns.services import (
    campaign_create,
    campaign_open,
    campaign_update,
)
from tests.campaigns.draft_form import campaign_fields, stage_fields
from tests.personas import MakeGroup, MakeMember, login_with_second_factor, stage_inputs


@pytest.mark.django_db
def test_the_draft_form_refuses_a_past_deadline_beside_the_field(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("campaigns:new", kwargs={"group_slug": group.slug})
    past = f"{timezone.localtime() - timedelta(days=1):%Y-%m-%dT%H:%M}"
    form = (
        campaign_fields()
        | stage_fields(1, "Withhold subscriptions", days=10)
        | stage_fields(2, "Leave together", days=20)
        | {"stage_count": "2", "stage2-deadline": past}
    )

    refused = client.post(url, form)

    assert refused.status_code == 200
    assert not Campaign.objects.exists()
    page = refused.content.decode()
    message = "The deadline has passed: choose a date and time in the future."
    assert refused.context["stage_forms"][1].errors["deadline"] == [message]
    assert 'href="#id_stage2-deadline"' in page  # the error summary links to the field
    assert f'value="{past}"' in page  # and what was typed is kept

    client.post(url, form | {"stage2-deadline": stage_fields(2, "x", days=30)["stage2-deadline"]})
    campaign = Campaign.objects.get()
    campaign_open(campaign=campaign, organiser=organiser)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN


@pytest.mark.django_db
def test_the_services_refuse_a_past_deadline_on_create_and_on_update(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    stages = stage_inputs()
    words = {
        "title": "Publish the report",
        "target": "the executive",
        "explanation": "Publish it.",
        "demands": ["Publish the report"],
    }
    past = [stages[0], replace(stages[1], deadline=timezone.now() - timedelta(minutes=1))]
    with pytest.raises(CampaignError, match="Stage 2's deadline has passed"):
        campaign_create(organiser=organiser, group=group, stages=past, **words)
    assert not Campaign.objects.exists()

    draft = campaign_create(organiser=organiser, group=group, stages=stages, **words)
    with pytest.raises(CampaignError, match="Stage 1's deadline has passed"):
        campaign_update(
            campaign=draft,
            organiser=organiser,
            stages=stages,
            now=timezone.now() + timedelta(days=50),
            **words,
        )
    assert [s.title for s in draft.stages.order_by("number")] == [s.title for s in stages]
