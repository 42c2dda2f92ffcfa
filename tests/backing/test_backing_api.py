"""The API: a member with a token that may write backs a campaign or a campaign group and
stops; campaigns and campaign groups carry their backing counts."""

from __future__ import annotations

import pytest
from django.test import Client

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.campaigns.models import Backing, Campaign, CampaignState
from rankandfile.groups.services import member_consent_withdraw
from tests.backing.conftest import MakeCampaignGroup
from tests.personas import MakeCampaign, MakeGroup, MakeMember


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_a_member_backs_and_stops_backing_by_token(
    make_member: MakeMember, make_campaign: MakeCampaign, make_campaign_group: MakeCampaignGroup
) -> None:
    campaign, group = make_campaign(), make_campaign_group()
    member = make_member()
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ_WRITE)
    client = Client(**_auth(token))  # type: ignore[arg-type]
    for base in (f"/api/v1/campaigns/{campaign.slug}", f"/api/v1/groups/{group.slug}"):
        url = f"{base}/backing"
        created = client.post(url, {"show_name": True}, content_type="application/json")
        assert created.status_code == 201, created.content
        assert created.json() == {"show_name": True, "backing": {"groups": 0, "members": 1}}
        changed = client.post(url, {}, content_type="application/json")
        assert changed.status_code == 200
        assert changed.json() == {"show_name": False, "backing": {"groups": 0, "members": 1}}
        assert client.delete(url).status_code == 204
        assert client.delete(url).status_code == 404
    assert not Backing.objects.exists()


@pytest.mark.django_db
def test_backing_counts_are_on_campaigns_and_campaign_groups(
    make_member: MakeMember,
    make_group: MakeGroup,
    make_campaign: MakeCampaign,
    make_campaign_group: MakeCampaignGroup,
) -> None:
    campaign, group = make_campaign(), make_campaign_group(name="Zero Hours")
    make_group(name="Branch")
    for n in range(3):
        Backing.objects.create(campaign=campaign, member=make_member(), show_name=n == 0)
        Backing.objects.create(target_group=group, member=make_member())
    Backing.objects.create(target_group=group, backing_group=campaign.group)
    _, token = api_token_create(member=make_member(), name="read", scope=TokenScope.READ)
    client = Client(**_auth(token))  # type: ignore[arg-type]
    read = client.get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert read["backing"] == {"groups": 0, "members": 3}
    groups = {g["name"]: g["backing"] for g in client.get("/api/v1/groups").json()}
    assert groups["Zero Hours"] == {"groups": 1, "members": 3}
    assert groups["Branch"] is None  # not a campaign group


@pytest.mark.django_db
def test_the_backing_api_refuses_what_the_rules_refuse(
    make_member: MakeMember,
    make_group: MakeGroup,
    make_campaign: MakeCampaign,
    make_campaign_group: MakeCampaignGroup,
) -> None:
    campaign, group = make_campaign(), make_campaign_group()
    member = make_member()
    _, read_only = api_token_create(member=member, name="read", scope=TokenScope.READ)
    _, token = api_token_create(member=member, name="write", scope=TokenScope.READ_WRITE)
    url = f"/api/v1/groups/{group.slug}/backing"
    assert Client(**_auth(read_only)).post(url).status_code == 403  # type: ignore[arg-type]
    assert Client().post(url).status_code == 401
    client = Client(**_auth(token))  # type: ignore[arg-type]
    branch = make_group(kind="union_branch")
    assert (
        client.post(
            f"/api/v1/groups/{branch.slug}/backing", {}, content_type="application/json"
        ).status_code
        == 404
    )
    hidden = make_campaign_group(visibility="hidden")
    assert (
        client.post(
            f"/api/v1/groups/{hidden.slug}/backing", {}, content_type="application/json"
        ).status_code
        == 404
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.WON)
    closed = client.post(
        f"/api/v1/campaigns/{campaign.slug}/backing", {}, content_type="application/json"
    )
    assert closed.status_code == 409 and "open campaign" in closed.json()["detail"]
    member_consent_withdraw(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403 and "consent" in refused.json()["detail"]
    assert not Backing.objects.exists()
