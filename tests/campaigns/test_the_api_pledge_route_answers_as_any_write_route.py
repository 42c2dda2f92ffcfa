"""The API's pledge route: the same token check as every route that writes, then the same
pledge service as the page. A bad token is 401 and writes nothing, a token that may only read
is 403, a second pledge or a closed stage 409; the pledge is written for the token's member,
with their area and vouch.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from rankandfile.accounts.models import ApiToken, TokenScope, User
from rankandfile.accounts.services import api_token_create, api_token_revoke
from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import Campaign, Pledge, Stage, StageTally
from rankandfile.campaigns.services import vouch_create
from rankandfile.groups.services import group_join
from tests.personas import MakeCampaign, MakeMember

GOOD = json.dumps({"options": ["stop-dues"]})


def _post(token: str, slug: str, body: str = GOOD) -> tuple[int, bytes]:
    response = Client().post(
        f"/api/v1/campaigns/{slug}/pledges",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.content


def _deadline_passed(campaign: Campaign) -> None:
    stage = Stage.objects.get(campaign=campaign, number=1)
    Stage.objects.filter(pk=stage.pk).update(deadline=stage.deadline - timedelta(days=60))


def _shards_closed(campaign: Campaign) -> None:
    """As the deadline job leaves them, a moment before it marks the stage itself."""
    StageTally.objects.filter(stage__campaign=campaign).update(accepting=False)


@pytest.mark.django_db
def test_a_bad_token_is_answered_401_and_writes_nothing(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    inactive = make_member()
    _, inactive_token = api_token_create(
        member=inactive, name="old phone", scope=TokenScope.READ_WRITE
    )
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    revoked_member = make_member()
    revoked, revoked_token = api_token_create(
        member=revoked_member, name="lost laptop", scope=TokenScope.READ_WRITE
    )
    api_token_revoke(member=revoked_member, token_id=revoked.pk)
    expired, expired_token = api_token_create(
        member=make_member(), name="old script", scope=TokenScope.READ_WRITE
    )
    ApiToken.objects.filter(pk=expired.pk).update(
        created_at=expired.created_at - timedelta(days=100),
        expires_at=expired.created_at - timedelta(days=1),
    )
    for bad in ("rf_not-a-token", inactive_token, revoked_token, expired_token):
        status, content = _post(bad, campaign.slug)
        assert status == 401, (bad, content)
        assert json.loads(content) == {"detail": "Unauthorized"}
    assert not Pledge.objects.exists()
    assert not StageTally.objects.filter(pledges__gt=0).exists()


@pytest.mark.django_db
def test_a_token_that_may_only_read_is_answered_403_and_writes_nothing(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    _, token = api_token_create(member=make_member(), name="dashboard", scope=TokenScope.READ)

    status, content = _post(token, campaign.slug)

    assert status == 403, content
    assert "may only read" in json.loads(content)["detail"]
    assert not Pledge.objects.exists()
    assert not StageTally.objects.filter(pledges__gt=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("close", [_deadline_passed, _shards_closed])
def test_a_closed_stage_is_answered_409_and_nothing_is_written(
    close: object, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    assert callable(close)
    close(campaign)
    _, token = api_token_create(member=make_member(), name="my script", scope=TokenScope.READ_WRITE)

    status, content = _post(token, campaign.slug)

    assert status == 409, content
    assert not Pledge.objects.exists()
    assert not StageTally.objects.filter(pledges__gt=0).exists()


@pytest.mark.django_db
def test_a_pledge_is_written_for_the_tokens_member_with_their_area_and_vouch(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    campaign = make_campaign(organiser=organiser)
    member = make_member(district="EC1A")
    group_join(group=campaign.group, member=member)
    vouch_create(group=campaign.group, organiser=organiser, member=member)
    api_token, token = api_token_create(
        member=member, name="my script", scope=TokenScope.READ_WRITE
    )

    status, content = _post(token, campaign.slug, json.dumps({"options": ["stop-dues"]}))

    assert status == 201, content
    assert json.loads(content) == {
        "stage": 1,
        "options": ["stop-dues"],
        "amount_pence": None,
        "verified": True,
    }
    pledge = Pledge.objects.get()
    assert (pledge.member_id, pledge.area, pledge.verified) == (member.pk, "EC", True)
    assert [o.key for o in pledge.options.all()] == ["stop-dues"]
    totals = selectors.stage_totals(Stage.objects.get(campaign=campaign, number=1))
    assert (totals.pledges, totals.verified_pledges) == (1, 1)
    assert ApiToken.objects.get(pk=api_token.pk).last_used_at is not None

    again, content = _post(token, campaign.slug)
    assert again == 409, content
    assert "already pledged" in json.loads(content)["detail"]
    assert Pledge.objects.count() == 1
    totals = selectors.stage_totals(Stage.objects.get(campaign=campaign, number=1))
    assert (totals.pledges, totals.verified_pledges) == (1, 1)  # the refused one rolled back
    assert {o.key: o.pledges for o in totals.options}["stop-dues"] == 1


@pytest.mark.django_db
def test_a_member_whose_email_is_not_verified_is_told_so_and_nothing_is_written(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    member = make_member()
    EmailAddress.objects.filter(user=member).update(verified=False)
    _, token = api_token_create(member=member, name="my script", scope=TokenScope.READ_WRITE)

    status, content = _post(token, campaign.slug)

    assert status == 400
    assert "Verify your email address" in json.loads(content)["detail"]
    assert not Pledge.objects.exists()
    assert not StageTally.objects.filter(pledges__gt=0).exists()


@pytest.mark.django_db
def test_a_logged_in_member_may_pledge_through_the_api_without_a_token(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    member = make_member()
    client = Client()
    client.force_login(member)

    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledges", GOOD, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert Pledge.objects.get().member_id == member.pk
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/campaigns/{slug}/pledges"]["post"]
    assert {"PersonalToken": []} in operation["security"]
