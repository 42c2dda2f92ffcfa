from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.campaigns.models import Pledge, Stage
from rankandfile.campaigns.services import (
    campaign_create,
    pledge_create,
    stage_figures_release,
)
from tests.personas import MakeCampaign, MakeGroup, MakeMember, stage_inputs


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
def test_the_api_pledges_with_a_personal_token_and_answers_409_when_it_should(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    member = make_member()
    _, token = api_token_create(member=member, name="my script", scope=TokenScope.READ_WRITE)
    client = Client()
    url = f"/api/v1/campaigns/{campaign.slug}/pledges"
    body = json.dumps({"options": ["claim-back"], "amount_pence": 12000})

    assert client.post(url, body, content_type="application/json").status_code == 401
    response = client.post(url, body, content_type="application/json", headers=_bearer(token))
    assert response.status_code == 201, response.content
    assert response.json() == {
        "stage": 1,
        "options": ["claim-back"],
        "amount_pence": 12000,
        "verified": False,
    }
    again = client.post(url, body, content_type="application/json", headers=_bearer(token))
    assert again.status_code == 409

    mine = f"/api/v1/campaigns/{campaign.slug}/pledges/mine"
    assert client.get(mine, headers=_bearer(token)).json()["amount_pence"] == 12000
    assert client.delete(mine, headers=_bearer(token)).status_code == 204
    assert not Pledge.objects.exists()

    client.post(url, body, content_type="application/json", headers=_bearer(token))
    Stage.objects.filter(campaign=campaign, number=1).update(
        deadline=Stage.objects.get(campaign=campaign, number=1).deadline - timedelta(days=60)
    )
    assert client.delete(mine, headers=_bearer(token)).status_code == 409
    assert Pledge.objects.count() == 1


@pytest.mark.django_db
def test_the_api_reads_a_campaign_with_small_counts_withheld(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    reader = make_member()
    client = Client()
    client.force_login(reader)
    for _ in range(2):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    data = client.get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert data["slug"] == campaign.slug and data["state"] == "open"
    first = data["stages"][0]
    assert set(first) == {
        "number",
        "state",
        "deadline",
        "threshold_people",
        "threshold_amount_pence",
        "pledges",
        "figures_as_of",
        "verified_pledges",
        "amount_pence",
        "options",
    }
    assert first["pledges"] is None and first["threshold_people"] == 3
    for _ in range(3):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    data = client.get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert data["stages"][0]["pledges"] == 5  # the people count is live
    assert data["stages"][0]["figures_as_of"] is None  # the breakdown waits for a release
    assert {o["key"]: o["pledges"] for o in data["stages"][0]["options"]} == {
        "stop-dues": None,
        "claim-back": None,
    }
    for _ in range(10):
        pledge_create(
            stage=stage, member=make_member(), option_keys=["claim-back"], amount_pence=12345
        )
    stage_figures_release(stage_id=stage.pk, noise=lambda name, value, scale: value)
    data = client.get(f"/api/v1/campaigns/{campaign.slug}").json()
    first = data["stages"][0]
    assert first["pledges"] == 15 and first["figures_as_of"] is not None
    assert {o["key"]: o["pledges"] for o in first["options"]} == {
        "stop-dues": 5,
        "claim-back": 10,
    }
    assert first["verified_pledges"] is None  # none vouched: under 5
    assert first["amount_pence"] == 1_200_00  # £1,234.50, to the nearest £100
    assert data["stages"][1]["state"] == "pending"
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/campaigns/{slug}/pledges" in schema["paths"]


@pytest.mark.django_db
def test_a_member_pledges_changes_and_withdraws_on_the_campaign_page(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    member = make_member()
    client = Client()
    client.force_login(member)
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200
    assert 'property="og:title"' in page.content.decode()

    bad = client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}),
        {"options": ["claim-back"], "amount": "lots"},
    )
    assert bad.status_code == 200
    assert "Enter an amount in pounds" in bad.content.decode()
    assert not Pledge.objects.exists()

    client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}),
        {"options": ["claim-back"], "amount": "£240.50"},
    )
    pledge = Pledge.objects.get()
    assert pledge.amount_pence == 24050
    content = client.get(campaign.get_absolute_url()).content.decode()
    assert "£240.50" in content and "Change my pledge" in content

    client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}), {"options": ["stop-dues"]}
    )
    pledge.refresh_from_db()
    assert pledge.amount_pence is None
    client.post(reverse("campaigns:withdraw", kwargs={"slug": campaign.slug}), {"confirmed": "yes"})
    assert not Pledge.objects.exists()


@pytest.mark.django_db
def test_the_embed_may_be_framed_and_the_counter_is_public_json(
    client: Client, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    embed = client.get(reverse("campaigns:embed", kwargs={"slug": campaign.slug}))
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    page = client.get(campaign.get_absolute_url())
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    counter = client.get(reverse("campaigns:counter", kwargs={"slug": campaign.slug})).json()
    assert counter["slug"] == campaign.slug and counter["pledges"] is None
    totals = client.get(reverse("campaigns:totals", kwargs={"slug": campaign.slug}))
    assert 'id="totals"' in totals.content.decode() and "<html" not in totals.content.decode()


@pytest.mark.django_db
def test_a_draft_campaign_is_not_public(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    draft = campaign_create(
        organiser=organiser,
        group=make_group(organiser=organiser),
        title="Not yet",
        target="the executive",
        explanation="Still being written.",
        demands=["One demand"],
        stages=stage_inputs(),
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("campaigns:counter", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get(f"/api/v1/campaigns/{draft.slug}").status_code in (401, 404)


@pytest.mark.django_db(transaction=True)  # as a request runs: no savepoints around the pledge
def test_pledging_and_reading_totals_take_a_fixed_number_of_queries(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    client = Client()
    url = f"/api/v1/campaigns/{campaign.slug}/pledges"
    body = json.dumps({"options": ["stop-dues"]})
    counts = []
    for n in range(12):
        _, token = api_token_create(member=make_member(), name="t", scope=TokenScope.READ_WRITE)
        cache.clear()  # each request reads the open stage afresh
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                url, body, content_type="application/json", headers=_bearer(token)
            )
        assert response.status_code == 201
        # Transaction control aside (SQLite logs its BEGIN and COMMIT, PostgreSQL does not):
        # the statements that do the work.
        counts.append(sum(q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT") for q in queries))
        if n == 5:
            for _ in range(20):
                pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    assert len(set(counts)) == 1 and counts[-1] <= 11, counts
    with CaptureQueriesContext(connection) as totals:
        Client().get(reverse("campaigns:totals", kwargs={"slug": campaign.slug}))
    assert len(totals) <= 8


@pytest.mark.django_db
def test_the_counter_asks_the_database_at_most_once_a_second(
    client: Client, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    url = reverse("campaigns:counter", kwargs={"slug": campaign.slug})
    for _ in range(6):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).json()["pledges"] == 6
    first = first.captured_queries  # now, before the next request empties the log
    with CaptureQueriesContext(connection) as again:
        for _ in range(20):
            assert client.get(url).json()["pledges"] == 6
    # The campaign, its stages with their people counts, the stage's last release.
    assert len(first) == 3 and len(again) == 0
    pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    cache.clear()  # as a second passing does
    assert client.get(url).json()["pledges"] == 7


@pytest.mark.django_db
def test_the_counter_says_what_the_campaign_page_publishes(
    client: Client, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    from rankandfile.campaigns.selectors import stage_published
    from rankandfile.campaigns.services import stage_figures_release

    campaign = make_campaign(amount_pence=10_000)
    stage = campaign.stages.get(number=1)
    url = reverse("campaigns:counter", kwargs={"slug": campaign.slug})
    for _ in range(12):
        pledge_create(
            stage=stage, member=make_member(), option_keys=["claim-back"], amount_pence=5_000
        )
    for released in (False, True):
        if released:
            stage_figures_release(stage_id=stage.pk, noise=lambda name, value, scale: value)
            cache.clear()
        figures = stage_published(stage)
        counter = client.get(url).json()
        assert counter["stage"] == figures.number == 1
        assert counter["deadline"] == figures.deadline
        assert counter["pledges"] == figures.people == 12
        assert counter["amount_pence"] == figures.amount_pence
        assert (counter["figures_as_of"] is None) == (not released) == (figures.as_of is None)
