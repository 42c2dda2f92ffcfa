"""Rate limits on what members do many times over (pledge changes, votes), per member and per
address, with django-ratelimit's counters in Django's cache (``settings.RATE_LIMITS``).

Every attempt counts, refused ones included, so that hammering does not pay. A refused
attempt changes nothing: the caller answers 429 (the API) or shows the page again with a
message and what the member typed (the pages).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from rankandfile.accounts.models import User

RATE_LIMITED = "Too many tries in a short while. Wait a few minutes, then try again."


def rate_limited(request: HttpRequest, *, action: str, member: User) -> bool:
    """Count one attempt at ``action`` ("pledge" or "vote") by ``member`` and from the request's
    address; True if either is over its limit, and the attempt must be refused."""
    limits = settings.RATE_LIMITS[action]
    who = f"member:{member.pk}"
    by_member = is_ratelimited(
        request,
        group=f"{action}:member",
        key=lambda _group, _request: who,
        rate=limits["member"],
        increment=True,
    )
    by_address = is_ratelimited(
        request, group=f"{action}:ip", key="ip", rate=limits["ip"], increment=True
    )
    return bool(by_member or by_address)
