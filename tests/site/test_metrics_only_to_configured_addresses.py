"""/metrics answers Prometheus only from the addresses in METRICS_ALLOWED_ADDRESSES (by default
this machine's), with request latency by page, the outbox's queue and the failed jobs."""

from __future__ import annotations

import ipaddress
import re

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from rankandfile.metrics import address_allowed
from rankandfile.notifications.services import invitation_create
from rankandfile.notifications.tasks import outbox_deliver
from tests.personas import MakeCampaign, MakeMember

pytestmark = pytest.mark.django_db


def _value(body: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", body, re.MULTILINE)
    assert match, f"{sample} is not in the metrics"
    return float(match.group(1))


def test_metrics_are_refused_to_an_address_not_configured(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::1").status_code == 404
    # A proxy's header is not the peer's address.
    forwarded = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forwarded.status_code == 404


def test_metrics_are_answered_to_this_machine_by_default(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_metrics_are_answered_to_a_configured_network(
    client: Client,
    settings: Settings,
    make_member: MakeMember,
    make_campaign: MakeCampaign,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    settings.METRICS_ALLOWED_ADDRESSES = [ipaddress.ip_network("203.0.113.0/24")]
    organiser = make_member(mfa=True)
    campaign = make_campaign(organiser=organiser)
    invitation_create(group=campaign.group, organiser=organiser, email="a@example.org")
    failed = DBTaskResult.objects.get(id=outbox_deliver.enqueue().id)
    failed.set_failed(RuntimeError("the SMTP server refused"))
    assert client.get(campaign.get_absolute_url()).status_code == 200

    with django_assert_max_num_queries(4):
        response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    page = 'route="campaigns:detail"'
    assert _value(body, f'rankandfile_http_request_duration_seconds_count{{method="GET",{page}}}')
    assert _value(body, f'rankandfile_http_responses_total{{method="GET",{page},status="2xx"}}')
    assert _value(body, "rankandfile_metrics_database_up") == 1
    assert _value(body, "rankandfile_outbox_unsent_messages") == 1
    assert _value(body, 'rankandfile_outbox_messages{status="queued"}') == 1
    assert _value(body, "rankandfile_outbox_oldest_unsent_age_seconds") >= 0
    assert _value(body, 'rankandfile_tasks{status="FAILED"}') == 1
    task = 'task="rankandfile.notifications.tasks.outbox_deliver"'
    assert _value(body, f"rankandfile_task_failures{{{task}}}") == 1


def test_an_address_is_matched_against_networks_of_its_own_family() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1")]
    assert address_allowed("10.1.2.3", networks)
    assert address_allowed("::1", networks)
    assert not address_allowed("11.0.0.1", networks)
    assert not address_allowed("not an address", networks)
    assert not address_allowed("", networks)
