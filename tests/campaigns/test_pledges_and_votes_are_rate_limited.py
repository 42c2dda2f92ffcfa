"""Pledge changes (pledge, change, withdraw) and votes are rate limited per member and per
address, on the pages and the API: refused with a clear answer (429 on the API, a message on the
page) and nothing lost.

The limits are counted in fixed windows; the tests give them a day's window (the defaults are
ten minutes) so that no window can end in the few seconds a test takes.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.models import Ballot, RollEntry
from rankandfile.ballots.services import ballot_open
from rankandfile.campaigns.models import Campaign, Pledge
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import MakeCampaign, MakeGroup, MakeMember


def _limits(settings: Settings, action: str, *, member: str, ip: str) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {action: {"member": member, "ip": ip}}


def _address(n: int) -> dict[str, str]:
    return {"REMOTE_ADDR": f"10.{n // 250}.{n % 250}.1"}


def test_the_defaults_limit_a_member_more_tightly_than_an_address() -> None:
    from django.conf import settings

    for action in ("pledge", "vote"):
        limits = settings.RATE_LIMITS[action]
        assert limits["member"] == "10/10m"
        assert int(limits["ip"].split("/")[0]) > 10


@pytest.mark.django_db
def test_thirty_pledge_and_withdraw_cycles_on_the_page_are_refused_after_the_limit(
    settings: Settings, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    _limits(settings, "pledge", member="10/d", ip="1000/d")
    campaign = make_campaign(people=3)
    member = make_member()
    client = Client()
    client.force_login(member)
    pledge_url = reverse("campaigns:pledge", kwargs={"slug": campaign.slug})
    withdraw_url = reverse("campaigns:withdraw", kwargs={"slug": campaign.slug})

    answers = []
    for n in range(30):  # from a new address each time: the member's own limit holds
        answers.append(
            client.post(pledge_url, {"options": ["stop-dues"]}, **_address(n)).status_code
        )
        client.post(withdraw_url, {"confirmed": "yes"}, **_address(n))
    assert answers == [302] * 5 + [429] * 25  # 10 changes: 5 pledges and 5 withdrawals
    assert not Pledge.objects.exists()

    refused = client.post(pledge_url, {"options": ["claim-back"], "amount": "240"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many tries in a short while" in page
    assert 'value="240"' in page  # what the member typed is still there
    assert not Pledge.objects.exists()


@pytest.mark.django_db
def test_a_refused_withdrawal_leaves_the_pledge_standing(
    settings: Settings, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    _limits(settings, "pledge", member="2/d", ip="1000/d")
    campaign = make_campaign(people=3)
    member = make_member()
    client = Client()
    client.force_login(member)
    pledge_url = reverse("campaigns:pledge", kwargs={"slug": campaign.slug})
    client.post(pledge_url, {"options": ["stop-dues"]})
    client.post(pledge_url, {"options": ["stop-dues", "claim-back"], "amount": "12"})

    response = client.post(
        reverse("campaigns:withdraw", kwargs={"slug": campaign.slug}),
        {"confirmed": "yes"},
        follow=True,
    )
    assert "Your pledge stands. Too many tries" in response.content.decode()
    pledge = Pledge.objects.get(member=member)
    assert pledge.amount_pence == 1200


@pytest.mark.django_db
def test_pledges_from_one_address_are_refused_after_its_limit(
    settings: Settings, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    _limits(settings, "pledge", member="10/d", ip="4/d")
    campaign = make_campaign(people=3)
    pledge_url = reverse("campaigns:pledge", kwargs={"slug": campaign.slug})
    answers = []
    for _ in range(6):
        client = Client(REMOTE_ADDR="192.0.2.7")
        client.force_login(make_member())
        answers.append(client.post(pledge_url, {"options": ["stop-dues"]}).status_code)
    assert answers == [302] * 4 + [429] * 2
    assert Pledge.objects.count() == 4

    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    elsewhere.force_login(make_member())
    assert elsewhere.post(pledge_url, {"options": ["stop-dues"]}).status_code == 302


def _api_cycle(client: Client, campaign: Campaign, token: str, n: int) -> tuple[int, int]:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{campaign.slug}/pledges"
    made = client.post(
        url,
        json.dumps({"options": ["stop-dues"]}),
        content_type="application/json",
        headers=headers,
        **_address(n),
    )
    gone = client.delete(f"{url}/mine", headers=headers, **_address(n))
    return made.status_code, gone.status_code


@pytest.mark.django_db
def test_thirty_pledge_and_withdraw_cycles_through_the_api_are_refused_after_the_limit(
    settings: Settings, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    _limits(settings, "pledge", member="10/d", ip="1000/d")
    campaign = make_campaign(people=3)
    member = make_member()
    _, token = api_token_create(member=member, name="script", scope=TokenScope.READ_WRITE)
    client = Client()

    answers = [_api_cycle(client, campaign, token, n) for n in range(30)]
    # Pledges and withdrawals alike are counted against the token's member: ten changes (five
    # cycles), then none.
    assert answers == [(201, 204)] * 5 + [(429, 429)] * 25
    assert not Pledge.objects.exists()
    refused = client.delete(
        f"/api/v1/campaigns/{campaign.slug}/pledges/mine",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 429
    assert "Too many tries" in refused.json()["detail"]
    # A new token does not start the count again: it is the member's.
    _, another = api_token_create(member=member, name="script 2", scope=TokenScope.READ_WRITE)
    assert _api_cycle(client, campaign, another, 31) == (429, 429)
    # A bad token is still told so first.
    bad = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledges",
        json.dumps({"options": ["stop-dues"]}),
        content_type="application/json",
        headers={"Authorization": "Bearer rf_not-a-token"},
    )
    assert bad.status_code == 401


@pytest.mark.django_db
def test_api_pledges_from_one_address_are_refused_after_its_limit(
    settings: Settings, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    _limits(settings, "pledge", member="10/d", ip="3/d")
    campaign = make_campaign(people=3)
    client = Client(REMOTE_ADDR="192.0.2.8")
    answers = []
    for _ in range(5):
        _, token = api_token_create(
            member=make_member(), name="script", scope=TokenScope.READ_WRITE
        )
        answers.append(
            client.post(
                f"/api/v1/campaigns/{campaign.slug}/pledges",
                json.dumps({"options": ["stop-dues"]}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
        )
    assert answers == [201] * 3 + [429] * 2
    assert Pledge.objects.count() == 3


def _open_ballot(organiser: User, voters: list[User], make_group: MakeGroup) -> Ballot:
    group = make_group(organiser=organiser)
    for voter in voters:
        group_join(group=group, member=voter)
    return ballot_open(ballot=ballot_make(organiser=organiser, group=group))


@pytest.mark.django_db
def test_votes_are_refused_after_the_members_limit_on_the_page_and_the_api(
    settings: Settings, make_member: MakeMember, make_group: MakeGroup
) -> None:
    _limits(settings, "vote", member="3/d", ip="1000/d")
    voter = make_member()
    ballot = _open_ballot(make_member(mfa=True), [voter], make_group)
    client = Client()
    client.force_login(voter)
    url = reverse("ballots:vote", kwargs={"ballot_id": ballot.pk})
    answers = {"receipt_hash": "not-a-receipt-hash", "q1": "yes"}  # refused, not cast

    statuses = [client.post(url, answers, **_address(n)).status_code for n in range(3)]
    assert statuses == [400] * 3
    refused = client.post(url, answers, **_address(9))
    assert refused.status_code == 429
    assert "Too many tries in a short while" in refused.content.decode()
    assert refused.context["form"]["q1"].value() == "yes"  # the answers as they were sent
    assert not RollEntry.objects.filter(ballot=ballot, has_voted=True).exists()

    api = client.post(
        f"/api/v1/ballots/{ballot.pk}/vote",
        json.dumps({"receipt_hash": receipt_hash(), "answers": {"1": "yes", "2": [1, 2]}}),
        content_type="application/json",
    )
    assert api.status_code == 429
    assert not RollEntry.objects.filter(ballot=ballot, has_voted=True).exists()


@pytest.mark.django_db
def test_votes_from_one_address_are_refused_after_its_limit(
    settings: Settings, make_member: MakeMember, make_group: MakeGroup
) -> None:
    _limits(settings, "vote", member="10/d", ip="2/d")
    voters = [make_member() for _ in range(3)]
    ballot = _open_ballot(make_member(mfa=True), voters, make_group)
    statuses = []
    for voter in voters:
        client = Client(REMOTE_ADDR="192.0.2.9")
        client.force_login(voter)
        statuses.append(
            client.post(
                f"/api/v1/ballots/{ballot.pk}/vote",
                json.dumps({"receipt_hash": receipt_hash(), "answers": {"1": "yes", "2": [1]}}),
                content_type="application/json",
            ).status_code
        )
    assert statuses == [201, 201, 429]
    assert RollEntry.objects.filter(ballot=ballot, has_voted=True).count() == 2
