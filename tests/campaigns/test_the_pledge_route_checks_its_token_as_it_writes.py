"""The API's pledge route checks its bearer token in the statement that writes the pledge.

On a deadline day every pledge comes through this route, so the token is not looked up in a
query of its own: on PostgreSQL the one pledge statement finds the token's member
(``PersonalToken(deferred=True)``, ``services.pledge_create_by_token``). What a client sees is
unchanged: a token that belongs to no active member is answered 401 and writes nothing, whatever
else is wrong with the request, and a good token gets the answers any other route would give.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client

from rankandfile.accounts.models import ApiToken, TokenScope, User
from rankandfile.accounts.services import api_token_create, api_token_revoke
from rankandfile.accounts.token_uses import token_uses_write
from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import Campaign, Pledge, Stage, StageTally
from rankandfile.campaigns.services import vouch_create
from rankandfile.groups.services import group_join
from rankandfile.lib.postcodes import AREA_PATTERN, postcode_area
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


# Each request goes wrong in one more way than its token; the answer a good token gets.
CASES: dict[str, tuple[str, str, Callable[[Campaign], None] | None, int]] = {
    "nothing else": ("{slug}", GOOD, None, 201),
    "an unknown option": ("{slug}", json.dumps({"options": ["strike"]}), None, 400),
    "no amount where one is asked": ("{slug}", json.dumps({"options": ["claim-back"]}), None, 400),
    "a body of the wrong shape": ("{slug}", json.dumps({"options": "stop-dues"}), None, 422),
    "a body that is not JSON": ("{slug}", "{options:", None, 400),
    "no such campaign": ("no-such-campaign", GOOD, None, 404),
    "the deadline has passed": ("{slug}", GOOD, _deadline_passed, 409),
    "the deadline job has closed the stage": ("{slug}", GOOD, _shards_closed, 409),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_token_is_answered_401_whatever_else_is_wrong(
    case: str, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    slug_pattern, body, spoil, good_token_status = CASES[case]
    slug = slug_pattern.format(slug=campaign.slug)
    if spoil:
        spoil(campaign)
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
    for bad in ("rf_not-a-token", inactive_token, revoked_token):
        status, content = _post(bad, slug, body)
        assert status == 401, (bad, content)
        assert json.loads(content) == {"detail": "Unauthorized"}
    assert not Pledge.objects.exists()
    assert not StageTally.objects.filter(pledges__gt=0).exists()

    _, token = api_token_create(member=make_member(), name="my script", scope=TokenScope.READ_WRITE)
    status, content = _post(token, slug, body)
    assert status == good_token_status, content
    assert Pledge.objects.count() == (1 if good_token_status == 201 else 0)


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
    assert token_uses_write() == 1  # the use was noted, as any API call notes it
    assert ApiToken.objects.get(pk=api_token.pk).last_used_at is not None

    again, content = _post(token, campaign.slug)
    assert again == 409, content
    assert Pledge.objects.count() == 1


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


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Only PostgreSQL works an area out in SQL."
)
def test_sql_works_out_a_districts_area_as_python_does() -> None:
    districts = ["LS6", "M14", "EC1A", "W1A", "GIR", "B11", "CF24", "E8", ""]
    with connection.cursor() as cursor:
        for district in districts:
            cursor.execute(f"SELECT COALESCE(substring(%s FROM '{AREA_PATTERN}'), '')", [district])
            assert cursor.fetchone()[0] == postcode_area(district), district
