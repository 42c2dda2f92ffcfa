"""Prometheus metrics at /metrics, for the addresses in settings.METRICS_ALLOWED_ADDRESSES only.

- ``rankandfile_http_request_duration_seconds{route,method}``: how long each request took, by
  the name of its URL pattern (``campaigns:detail``; ``static`` for static files, ``unmatched``
  for an address that is no page), measured from the first middleware to the last;
- ``rankandfile_http_responses_total{route,method,status}``: answers by class (2xx ... 5xx);
- read from the database at each scrape, so the same whichever app server answers:
  ``rankandfile_outbox_messages{status}``, ``rankandfile_outbox_unsent_messages`` and
  ``rankandfile_outbox_oldest_unsent_age_seconds`` (the outbox: mail waiting to go, and how long
  the oldest has waited), ``rankandfile_tasks{status}`` and ``rankandfile_task_failures{task}``
  (django-tasks-db's job results: jobs waiting, and jobs that failed, by job);
  ``rankandfile_metrics_database_up`` is 0 when those could not be read.

Under gunicorn each worker process counts its own requests: with ``PROMETHEUS_MULTIPROC_DIR``
set (an empty directory, emptied at each start; deploy/gunicorn.conf.py and the systemd unit do
it) prometheus_client keeps the counts in files there and /metrics adds up every worker's.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from rankandfile.lib.env import Network
from rankandfile.notifications.selectors import outbox_counts, outbox_unsent

REQUEST_SECONDS = Histogram(
    "rankandfile_http_request_duration_seconds",
    "Time to answer a request, by URL pattern name and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "rankandfile_http_responses",
    "Responses, by URL pattern name, method and status class.",
    ["route", "method", "status"],
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route(request: HttpRequest) -> str:
    if request.resolver_match is not None:
        return request.resolver_match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)
        RESPONSES.labels(route, method, f"{response.status_code // 100}xx").inc()
        return response


class DatabaseCollector(Collector):
    """The outbox and the job queue, read from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "rankandfile_metrics_database_up",
            "1 if the outbox and job figures below could be read from the database.",
        )
        try:
            figures = list(self._figures())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        messages = GaugeMetricFamily(
            "rankandfile_outbox_messages", "Outbox messages by status.", labels=["status"]
        )
        for status, count in outbox_counts().items():
            messages.add_metric([status], count)
        yield messages
        waiting, oldest = outbox_unsent()
        yield GaugeMetricFamily(
            "rankandfile_outbox_unsent_messages",
            "Messages waiting to be sent (queued, or failed and to be retried).",
            value=waiting,
        )
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "rankandfile_outbox_oldest_unsent_age_seconds",
            "Seconds since the oldest message waiting to be sent was queued (0 if none waits).",
            value=age,
        )
        tasks = GaugeMetricFamily(
            "rankandfile_tasks", "Background job results stored, by status.", labels=["status"]
        )
        for row in DBTaskResult.objects.values("status").annotate(n=Count("pk")).order_by():
            tasks.add_metric([row["status"]], row["n"])
        yield tasks
        failures = GaugeMetricFamily(
            "rankandfile_task_failures",
            "Background jobs that failed (results stored), by job.",
            labels=["task"],
        )
        failed = DBTaskResult.objects.failed().values("task_path").annotate(n=Count("pk"))
        for failure in failed.order_by():
            failures.add_metric([failure["task_path"]], failure["n"])
        yield failures


def address_allowed(address: str, networks: list[Network]) -> bool:
    """Whether ``address`` (a peer's IP address) is in one of ``networks``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus's text format; a 404 to any address not configured."""
    if not address_allowed(request.META.get("REMOTE_ADDR", ""), settings.METRICS_ALLOWED_ADDRESSES):
        raise Http404("No such page")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        requests = CollectorRegistry()
        MultiProcessCollector(requests)  # type: ignore[no-untyped-call]
    else:
        requests = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    body = generate_latest(requests) + generate_latest(database)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
