"""Public pages served from Django's cache to visitors who are not signed in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_page

View = Callable[..., HttpResponse]


def cached_for_visitors(seconds: int) -> Callable[[View], View]:
    """Serve the page from the cache (Redis with ``REDIS_URL``, shared by every app server) for
    up to ``seconds`` to a visitor without a session cookie; a signed-in member's page, which
    shows their own pledge, vote or membership, is always built afresh.

    Django's ``cache_page`` does the caching: only a 200 answer to a GET or HEAD is kept, keyed
    by its address and by the headers it varies on (the cookies, once the page read the
    session), and an answer that sets a cookie for a visitor who sent none (a CSRF token, a
    session) is not kept. The page then says ``Cache-Control: max-age=<seconds>``.
    """

    def decorator(view: View) -> View:
        cached = cache_page(seconds, key_prefix="visitors")(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                return view(request, *args, **kwargs)
            response: HttpResponse = cached(request, *args, **kwargs)
            return response

        return wrapper

    return decorator
