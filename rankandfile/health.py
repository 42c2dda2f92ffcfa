"""Probes for a load balancer or an orchestrator: /healthz and /readyz.

``/healthz`` says the process is up and answers (restart it if not); it touches neither the
database nor the cache, so a database outage does not get every app server restarted.
``/readyz`` says this app server can serve pages: each database (the primary, and the replica
if there is one) and the cache answer; if one does not, 503, naming it (send requests
elsewhere for now).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from rankandfile.db_router import REPLICA

logger = logging.getLogger(__name__)


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
