from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import Campaign, CampaignState, Demand, Pledge, Stage
from rankandfile.campaigns.services import pledge_create
from rankandfile.groups.services import group_join
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor

FORM = {
    "title": "Publish the report",
    "target": "the national executive",
    "explanation": "Together we ask the executive to publish the report.",
    "demands": "Publish the report\nAct on it\n\nApologise",
    "stage1-title": "Withhold subscriptions",
    "stage1-deadline": "2027-01-10T12:00",
    "stage1-threshold_people": "1000",
    "stage1-threshold_pounds": "",
    "stage1-options": "Cancel my direct debit\nClaim back my subscriptions (amount)",
    "stage1-action_instructions": "Cancel your direct debit.",
    "stage1-letter_template": "I, {display_name}, claim {amount}.",
}


@pytest.mark.django_db
def test_an_organiser_drafts_opens_and_records_demand_decisions(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("campaigns:new", kwargs={"group_slug": group.slug})
    assert client.get(url).status_code == 200

    missing = client.post(url, FORM | {"stage1-threshold_people": ""})
    assert missing.status_code == 200
    assert "Set a threshold of people, of money, or both." in missing.content.decode()
    assert not Campaign.objects.exists()

    response = client.post(url, FORM)
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("campaigns:manage", kwargs={"slug": campaign.slug})
    assert campaign.state == CampaignState.DRAFT
    assert list(campaign.demands.values_list("text", flat=True)) == [
        "Publish the report",
        "Act on it",
        "Apologise",
    ]
    stage = Stage.objects.get(campaign=campaign)
    assert [(o.label, o.asks_amount) for o in stage.options.all()] == [
        ("Cancel my direct debit", False),
        ("Claim back my subscriptions", True),
    ]
    assert client.get(campaign.get_absolute_url()).status_code == 404  # drafts are not public

    client.post(reverse("campaigns:open", kwargs={"slug": campaign.slug}), {"confirmed": "yes"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    assert client.get(campaign.get_absolute_url()).status_code == 200

    client.post(
        reverse("campaigns:demand_status", kwargs={"slug": campaign.slug, "position": 2}),
        {"status": "partly_met"},
    )
    assert Demand.objects.get(campaign=campaign, position=2).status == "partly_met"


@pytest.mark.django_db
def test_a_vouched_members_pledge_counts_as_verified(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    organiser = campaign.group.memberships.get().member
    member = make_member()
    group_join(group=campaign.group, member=member)
    client = Client()
    login_with_second_factor(client, organiser)
    client.post(
        reverse(
            "campaigns:vouch", kwargs={"group_slug": campaign.group.slug, "member_id": member.pk}
        )
    )
    stage = campaign.stages.get(number=1)
    pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    assert Pledge.objects.get(member=member).verified
    assert selectors.stage_totals(stage).verified_pledges == 1


@pytest.mark.django_db
def test_campaign_organiser_pages_are_for_the_groups_organisers_with_mfa(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    manage = reverse("campaigns:manage", kwargs={"slug": campaign.slug})
    new = reverse("campaigns:new", kwargs={"group_slug": campaign.group.slug})
    stranger, client = make_member(mfa=True), Client()
    login_with_second_factor(client, stranger)
    assert client.get(manage).status_code == 404
    assert client.get(new).status_code == 404
    no_mfa = make_member()
    client.force_login(no_mfa)
    assert client.get(manage)["Location"].startswith(reverse("mfa_index"))
    assert Client().get(manage).status_code == 302
