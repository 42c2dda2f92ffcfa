"""A stage's state, deadline and verdict settings, and a campaign's state, change only through
the services: the admin shows them read-only, and a POST that changes them changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.campaigns.models import CampaignState, StageState
from tests.personas import MakeCampaign, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

GUARDED_STAGE_FIELDS = [
    "state",
    "deadline",
    "verdict_days",
    "verdict_quorum_percent",
    "act_within_days",
]


@pytest.fixture
def admin_client(make_member: MakeMember) -> Client:
    member = make_member(mfa=True)
    member.is_staff = member.is_superuser = True
    member.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    login_with_second_factor(client, member)
    return client


def test_a_stage_state_deadline_and_verdict_settings_cannot_be_changed_in_the_admin(
    admin_client: Client, make_campaign: MakeCampaign
) -> None:
    stage = make_campaign().stages.get(number=1)
    url = reverse("admin:campaigns_stage_change", args=[stage.pk])
    form = admin_client.get(url).context["adminform"].form
    assert [name for name in GUARDED_STAGE_FIELDS if name in form.fields] == []

    deadline = stage.deadline
    later = (deadline + timedelta(days=30)).strftime("%Y-%m-%d")
    response = admin_client.post(
        url,
        {
            "campaign": stage.campaign_id,
            "number": stage.number,
            "threshold_people": stage.threshold_people,
            "title": "Renamed",
            "action_instructions": stage.action_instructions,
            "letter_template": stage.letter_template,
            "state": StageState.TRIGGERED,
            "deadline_0": later,
            "deadline_1": "12:00:00",
            "verdict_days": "1",
            "verdict_quorum_percent": "1",
            "act_within_days": "1",
        },
    )
    assert response.status_code == 302, response.content[-2000:]
    stage.refresh_from_db()
    assert stage.title == "Renamed", "the wording may still be corrected"
    assert stage.state == StageState.OPEN
    assert stage.deadline == deadline
    assert (stage.verdict_days, stage.verdict_quorum_percent, stage.act_within_days) == (7, 50, 14)


def test_a_campaign_state_cannot_be_changed_in_the_admin(
    admin_client: Client, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "state" not in form.fields
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "group": campaign.group_id,
        "state": CampaignState.WON,
        "demands-TOTAL_FORMS": "0",
        "demands-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, "the rest of the form is valid and saved"
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    assert admin_client.get(reverse("admin:campaigns_campaign_add")).status_code == 403
