"""Probes for a load balancer or an orchestrator: /healthz and /readyz.

``/healthz`` says the process is up and answers (restart it if not); it touches neither the
database nor the cache, so a database outage does not get every app server restarted.
``/readyz`` says this app server can serve pages: each database (the primary, and the replica
if there is one) and the cache answer; if one does not, 503, naming it (send requests
elsewhere for now).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import resolve

from rankandfile.db_router import REPLICA

logger = logging.getLogger(__name__)

# Asked of each app server by its own address, over plain HTTP.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ProbeMiddleware:
    """Answers the probes (and Prometheus) before Django checks the host name and redirects to
    HTTPS: Docker, a load balancer or Prometheus asks an app server by its own address
    (``127.0.0.1:8000``, ``10.0.0.12:8000``) over plain HTTP, which is neither a name in
    ALLOWED_HOSTS nor HTTPS. None of them builds a link from the host name; /metrics checks the
    peer's address itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        request.resolver_match = match = resolve(request.path_info)
        response: HttpResponseBase = match.func(request)
        return response


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    aliases = [DEFAULT_DB_ALIAS, *([REPLICA] if settings.READ_REPLICA else [])]
    checks = {f"database:{alias}": _database_answers(alias) for alias in aliases}
    checks["cache"] = _cache_answers()
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_answers(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("readyz: database %s does not answer", alias, exc_info=True)
        return False
    return True


def _cache_answers() -> bool:
    try:
        cache.set("readyz", "1", timeout=10)
        answered: bool = cache.get("readyz") == "1"
    except Exception:  # each cache backend raises its own errors (redis.ConnectionError...)
        logger.warning("readyz: the cache does not answer", exc_info=True)
        return False
    return answered
