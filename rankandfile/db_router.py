"""Reads that may be a second stale go to the read replica; everything else to the primary.

With ``DATABASE_REPLICA_URL`` set (settings.READ_REPLICA), ``ReplicaMiddleware`` marks a
request "may read the replica" when all of these hold:

- it is a GET or HEAD;
- its page is listed below: ``SAME_FOR_EVERYONE`` (counters and embeds, which show nobody
  anything of their own), or ``PUBLIC_TO_VISITORS`` for a visitor who is not signed in (no
  session cookie: signed in, these pages show the member's own pledge, membership or marks);
- the visitor has not written (any POST, PUT, PATCH or DELETE, such as a pledge, a sign-up or a
  log-in) in the last ``REPLICA_AFTER_WRITE_SECONDS``: a signed, short-lived cookie says so.

``ReplicaRouter`` reads the mark (a context variable of the request) and sends the request's
reads to the ``replica`` alias, except inside a transaction on the primary. Writes, and the reads
of every other request (a member's own pages, any page right after they wrote, the workers, the
clock, management commands) go to the primary. So a member always sees their own pledge, however
far the replica lags; a visitor may see a counter or a campaign page a moment old.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
WROTE_COOKIE = "rf_wrote"
_SAFE_METHODS = frozenset({"GET", "HEAD"})

# Pages whose answer is the same for everyone, signed in or not.
SAME_FOR_EVERYONE = frozenset(
    {
        "campaigns:counter",
        "campaigns:totals",
        "campaigns:embed",
        "slates:embed",
    }
)
# Public pages that show a signed-in member something of their own: the replica only for
# visitors without a session. (A name with no page yet matches nothing.)
PUBLIC_TO_VISITORS = frozenset(
    {
        "campaigns:list",
        "campaigns:detail",
        "groups:list",  # the directory
        "groups:detail",
        "slates:public",
        "resources:list",
        "resources:detail",
        "events:list",
        "events:detail",
    }
)

_may_read_replica: ContextVar[bool] = ContextVar("may_read_replica", default=False)


class ReplicaRouter:
    """Django's database router: the replica for reads of a marked request, else the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if _may_read_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema


def _wrote_recently(request: HttpRequest) -> bool:
    value = request.COOKIES.get(WROTE_COOKIE)
    if value is None:
        return False
    try:
        signing.TimestampSigner(salt=WROTE_COOKIE).unsign(
            value, max_age=settings.REPLICA_AFTER_WRITE_SECONDS
        )
    except signing.BadSignature:  # also when it expired
        return False
    return True


def may_read_replica(request: HttpRequest) -> bool:
    """Whether this request's page may be read from the replica (see the module's docstring)."""
    match = request.resolver_match
    if request.method not in _SAFE_METHODS or match is None or _wrote_recently(request):
        return False
    if match.view_name in SAME_FOR_EVERYONE:
        return True
    signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
    return match.view_name in PUBLIC_TO_VISITORS and not signed_in


class ReplicaMiddleware:
    """Marks the request for ``ReplicaRouter``; after a write, sends the "wrote" cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = self.get_response(request)
        finally:
            _may_read_replica.set(False)
        if settings.READ_REPLICA and request.method not in _SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                signing.TimestampSigner(salt=WROTE_COOKIE).sign("1"),
                max_age=settings.REPLICA_AFTER_WRITE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        # Here, not in __call__: the page's name is known once its URL is resolved.
        _may_read_replica.set(settings.READ_REPLICA and may_read_replica(request))
