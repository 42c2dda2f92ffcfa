"""Personal API tokens: made only after a fresh reauthentication, read-only unless the member
chose otherwise, expiring, and ended by a password change or reset."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from rankandfile.accounts.models import ApiToken, TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.services import ballot_open
from rankandfile.groups.services import group_join
from rankandfile.notifications.models import Message
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import (
    TEST_PASSWORD,
    MakeCampaign,
    MakeGroup,
    MakeMember,
    reauthenticate_with_an_email_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long enough passphrase"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_making_a_token_needs_a_recent_reauthentication(make_member: MakeMember) -> None:
    member = make_member()
    client = Client()
    client.force_login(member)  # a session, perhaps someone else's: not enough to make a token
    create = reverse("accounts:api_token_create")

    response = client.post(create, {"name": "script", "scope": "read_write"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_request_reauthentication_code"))
    assert not ApiToken.objects.exists()

    reauthenticate_with_an_email_code(client, member)
    response = client.post(create, {"name": "script", "scope": "read"})
    assert response.status_code == 200
    (api_token,) = ApiToken.objects.all()
    assert api_token.scope == TokenScope.READ
    lifetime = api_token.expires_at - api_token.created_at
    assert timedelta(days=90) - timedelta(minutes=1) < lifetime <= timedelta(days=90)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert f"expires {date_format(timezone.localtime(api_token.expires_at), 'j M Y')}" in profile


def test_a_read_only_token_reads_but_cannot_pledge_withdraw_or_vote(
    make_member: MakeMember, make_campaign: MakeCampaign, make_group: MakeGroup
) -> None:
    campaign = make_campaign()
    group = make_group()
    member = make_member()
    group_join(group=campaign.group, member=member)
    group_join(group=group, member=member)
    ballot = ballot_open(
        ballot=ballot_make(organiser=group.memberships.first().member, group=group)
    )
    _, reader = api_token_create(member=member, name="reader", scope=TokenScope.READ)
    _, writer = api_token_create(member=member, name="writer", scope=TokenScope.READ_WRITE)
    client = Client()
    pledges = f"/api/v1/campaigns/{campaign.slug}/pledges"
    pledge = json.dumps({"options": ["stop-dues"]})
    vote = json.dumps({"receipt_hash": receipt_hash(), "answers": {"1": "yes"}})

    assert (
        client.get(f"/api/v1/campaigns/{campaign.slug}", headers=_bearer(reader)).status_code == 200
    )
    assert client.get(f"/api/v1/ballots/{ballot.pk}", headers=_bearer(reader)).status_code == 200
    for bad in ([], ["no-such-option"]):  # refused for the token before the body is judged
        body = json.dumps({"options": bad})
        refused = client.post(
            pledges, body, content_type="application/json", headers=_bearer(reader)
        )
        assert refused.status_code == 403, refused.content
    refused = client.post(pledges, pledge, content_type="application/json", headers=_bearer(reader))
    assert refused.status_code == 403
    assert "may only read" in refused.json()["detail"]
    made = client.post(pledges, pledge, content_type="application/json", headers=_bearer(writer))
    assert made.status_code == 201, made.content
    assert client.delete(f"{pledges}/mine", headers=_bearer(reader)).status_code == 403
    assert client.get(f"{pledges}/mine", headers=_bearer(reader)).status_code == 200
    voted = client.post(
        f"/api/v1/ballots/{ballot.pk}/vote",
        vote,
        content_type="application/json",
        headers=_bearer(reader),
    )
    assert voted.status_code == 403
    assert (
        client.get(f"/api/v1/ballots/{ballot.pk}", headers=_bearer(reader)).json()["has_voted"]
        is False
    )


def test_an_expired_token_is_refused(make_member: MakeMember, make_campaign: MakeCampaign) -> None:
    campaign = make_campaign()
    member = make_member()
    group_join(group=campaign.group, member=member)
    api_token, token = api_token_create(member=member, name="old", scope=TokenScope.READ_WRITE)
    ApiToken.objects.filter(pk=api_token.pk).update(
        created_at=timezone.now() - timedelta(days=91),
        expires_at=timezone.now() - timedelta(seconds=5),
    )
    client = Client()
    assert client.get("/api/v1/groups", headers=_bearer(token)).status_code == 401
    pledge = json.dumps({"options": ["stop-dues"]})
    url = f"/api/v1/campaigns/{campaign.slug}/pledges"
    response = client.post(url, pledge, content_type="application/json", headers=_bearer(token))
    assert response.status_code == 401


def test_a_password_change_ends_every_token(make_member: MakeMember) -> None:
    member = make_member()
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ)
    client = Client()
    assert client.get("/api/v1/groups", headers=_bearer(token)).status_code == 200
    client.force_login(member)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert Client().get("/api/v1/groups", headers=_bearer(token)).status_code == 401


def test_a_password_reset_ends_every_token(make_member: MakeMember) -> None:
    member = make_member(email="known@example.org")
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ)
    client = Client()
    client.post(reverse("account_reset_password"), {"email": member.email})
    text = Message.objects.latest("pk").context["text"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", text)
    assert link, text
    response = client.get(link.group(1))
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert Client().get("/api/v1/groups", headers=_bearer(token)).status_code == 401
