"""The public counter and the API's pledge route keep copies in Django's cache under keys made
from the campaign slug in the URL. Whatever slug is asked for (long, with spaces or other
characters memcached refuses), the key is one memcached accepts: any CacheKeyWarning fails
these tests."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from tests.personas import MakeCampaign, MakeMember

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("error::django.core.cache.backends.base.CacheKeyWarning"),
]

LONG = "a" * 300
ODD = "publish the report\u00e9\u2013now"


def test_the_counter_of_an_unknown_long_slug_is_404_without_a_cache_key_warning(
    client: Client,
) -> None:
    assert client.get(reverse("campaigns:counter", kwargs={"slug": LONG})).status_code == 404


@pytest.mark.parametrize("slug", [LONG, ODD])
def test_the_api_pledge_route_with_an_odd_slug_is_404_without_a_cache_key_warning(
    make_member: MakeMember, slug: str
) -> None:
    _, token = api_token_create(member=make_member(), name="phone", scope=TokenScope.READ_WRITE)
    response = Client().post(
        f"/api/v1/campaigns/{quote(slug)}/pledges",
        json.dumps({"options": ["stop-dues"]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404


def test_a_real_campaign_is_counted_and_pledged_through_the_hashed_keys(
    client: Client, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    url = reverse("campaigns:counter", kwargs={"slug": campaign.slug})
    assert client.get(url).json()["slug"] == campaign.slug
    assert client.get(url).json()["slug"] == campaign.slug  # the cached copy
    _, token = api_token_create(member=make_member(), name="phone", scope=TokenScope.READ_WRITE)
    response = Client().post(
        f"/api/v1/campaigns/{campaign.slug}/pledges",
        json.dumps({"options": ["stop-dues"]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
