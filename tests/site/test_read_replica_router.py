"""With a read replica, the public pages a visitor reads go to it; a member's own pages, and any
page right after they wrote, go to the primary: a member always sees their own pledge.

The replica here is Django's test mirror: a second connection (alias "replica") to the test
database itself. Which connection ran a page's queries shows where the router sent them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from rankandfile.campaigns.models import Campaign, Pledge
from rankandfile.db_router import WROTE_COOKIE, ReplicaRouter, _may_read_replica
from tests.personas import MakeCampaign, MakeMember

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _replica_on(settings: Settings) -> None:
    settings.READ_REPLICA = True


@pytest.fixture(autouse=True, scope="module")
def _replica_pool_closed_after() -> Iterator[None]:
    """On PostgreSQL the replica alias keeps a pool of connections to the test database, which
    would stop its removal at the end of the run: close it after these tests."""
    yield
    replica = connections["replica"]
    replica.close()
    if replica.vendor == "postgresql":
        replica.close_pool()


@contextmanager
def _queries() -> Iterator[dict[str, CaptureQueriesContext]]:
    captured = {alias: CaptureQueriesContext(connections[alias]) for alias in connections}
    for context in captured.values():
        context.__enter__()
    try:
        yield captured
    finally:
        for context in captured.values():
            context.__exit__(None, None, None)


def _where(client: Client, url: str) -> tuple[int, dict[str, int]]:
    with _queries() as captured:
        response = client.get(url)
    return response.status_code, {alias: len(c) for alias, c in captured.items()}


def _pages(campaign: Campaign) -> dict[str, str]:
    slug = {"slug": campaign.slug}
    return {
        "campaign": reverse("campaigns:detail", kwargs=slug),
        "counter": reverse("campaigns:counter", kwargs=slug),
        "totals": reverse("campaigns:totals", kwargs=slug),
        "embed": reverse("campaigns:embed", kwargs=slug),
        "campaigns": reverse("campaigns:list"),
        "directory": reverse("groups:list"),
        "group": reverse("groups:detail", kwargs={"slug": campaign.group.slug}),
    }


def test_a_visitor_reads_the_public_pages_from_the_replica(make_campaign: MakeCampaign) -> None:
    campaign = make_campaign()
    visitor = Client()
    for page, url in _pages(campaign).items():
        status, queries = _where(visitor, url)
        assert status == 200, page
        assert queries["replica"] > 0 and queries["default"] == 0, (page, queries)


def test_a_visitor_writes_and_reads_their_own_pages_on_the_primary(
    make_campaign: MakeCampaign,
) -> None:
    make_campaign()
    status, queries = _where(Client(), reverse("account_signup"))
    assert status == 200 and queries["replica"] == 0


def test_a_member_always_sees_their_own_pledge(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    member = make_member()
    client = Client()
    client.force_login(member)
    pages = _pages(campaign)
    # Signed in, the campaign page shows the member's pledge: always read from the primary.
    status, queries = _where(client, pages["campaign"])
    assert status == 200 and queries["replica"] == 0
    status, queries = _where(client, reverse("accounts:profile"))
    assert status == 200 and queries["replica"] == 0

    with _queries() as captured:
        response = client.post(
            reverse("campaigns:pledge", kwargs={"slug": campaign.slug}),
            {"options": ["stop-dues"]},
            follow=True,
        )
    assert Pledge.objects.filter(member=member).count() == 1
    assert len(captured["replica"]) == 0
    assert "Your pledge" in response.content.decode()
    assert WROTE_COOKIE in client.cookies

    # Right after the pledge even the pages that are the same for everyone come from the
    # primary: the counter the member looks at counts their pledge.
    for page in ("counter", "totals", "embed"):
        status, queries = _where(client, pages[page])
        assert status == 200 and queries["replica"] == 0, page
    status, queries = _where(client, pages["campaign"])
    assert status == 200 and queries["replica"] == 0


def test_the_same_for_everyone_pages_go_back_to_the_replica_once_the_write_is_old(
    make_member: MakeMember, make_campaign: MakeCampaign, settings: Settings
) -> None:
    campaign = make_campaign()
    client = Client()
    client.force_login(make_member())
    pledge = reverse("campaigns:pledge", kwargs={"slug": campaign.slug})
    client.post(pledge, {"options": ["stop-dues"]})
    settings.REPLICA_AFTER_WRITE_SECONDS = 0  # the cookie's signature is now too old
    pages = _pages(campaign)
    status, queries = _where(client, pages["counter"])
    assert status == 200 and queries["replica"] > 0
    # The campaign page shows the member's pledge: still the primary, however long ago.
    status, queries = _where(client, pages["campaign"])
    assert status == 200 and queries["replica"] == 0


def test_a_forged_wrote_cookie_is_ignored(make_campaign: MakeCampaign) -> None:
    campaign = make_campaign()
    client = Client()
    client.cookies[WROTE_COOKIE] = "1:forged:signature"
    status, queries = _where(client, _pages(campaign)["counter"])
    assert status == 200 and queries["replica"] > 0


def test_without_a_replica_every_read_goes_to_the_primary(
    make_campaign: MakeCampaign, settings: Settings
) -> None:
    settings.READ_REPLICA = False
    campaign = make_campaign()
    for page, url in _pages(campaign).items():
        status, queries = _where(Client(), url)
        assert status == 200 and queries["replica"] == 0, page


def test_reads_inside_a_transaction_stay_on_the_primary() -> None:
    router = ReplicaRouter()
    token = _may_read_replica.set(True)
    try:
        assert router.db_for_read(Campaign) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Campaign) == "default"
        assert router.db_for_write(Campaign) == "default"
    finally:
        _may_read_replica.reset(token)
