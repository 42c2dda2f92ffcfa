"""Deadline day sends thousands of pledges a minute, through the page and the API: each costs
the same few queries, pinned here, however many members pledged before.

A first pledge through the page: the session, its member, whether they pledged already,
whether their email is verified (and vouched for), then one transaction (its savepoint here,
inside the test's): the member's tally shards (stage, option, region; a shard's first pledge
inserts its region row, as each of these does), the pledge and its option. The stage and its
options come from the cache, as the API reads them (the first request fills it). Through the
API, the token with its member replaces the session and its member, and nobody asks whether
they pledged already (the one-pledge-each constraint answers 409).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import ApiToken, TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.campaigns.models import Pledge
from rankandfile.campaigns.services import pledge_create
from tests.personas import MakeCampaign, MakeMember


@pytest.mark.django_db
def test_a_pledge_through_the_page_takes_the_same_few_queries(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    url = reverse("campaigns:pledge", kwargs={"slug": campaign.slug})
    counts = []
    for _ in range(3):  # the first fills the cache with the stage and its options
        client = Client()
        client.force_login(make_member())
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"options": ["stop-dues"]})
        counts.append(len(queries.captured_queries))  # now, before the next request
        assert response.status_code == 302
    assert counts[1:] == [PAGE_FIRST_PLEDGE, PAGE_FIRST_PLEDGE], counts
    assert Pledge.objects.count() == 3

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"options": ["claim-back"], "amount": "12.50"})
    assert response.status_code == 302
    assert len(queries.captured_queries) == PAGE_CHANGED_PLEDGE
    changed = Pledge.objects.get(member=response.wsgi_request.user)
    assert [o.key for o in changed.options.all()] == ["claim-back"]
    assert changed.amount_pence == 1250


@pytest.mark.django_db
def test_a_pledge_through_the_api_takes_the_same_few_queries(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    url = f"/api/v1/campaigns/{campaign.slug}/pledges"
    body = json.dumps({"options": ["stop-dues"]})
    pledge_create(  # fills the cache with the stage's options
        stage=campaign.stages.get(number=1), member=make_member(), option_keys=["stop-dues"]
    )
    counts = []
    for _ in range(3):
        member = make_member()
        _, token = api_token_create(member=member, name="bench", scope=TokenScope.READ_WRITE)
        ApiToken.objects.filter(member=member).update(last_used_at=timezone.now())  # noted
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                url,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
        counts.append(len(queries.captured_queries))  # now, before the next request
        assert response.status_code == 201, response.content
    assert counts[1:] == [API_PLEDGE, API_PLEDGE], counts


PAGE_FIRST_PLEDGE = 12
PAGE_CHANGED_PLEDGE = 18
API_PLEDGE = 10
