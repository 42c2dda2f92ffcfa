"""A request id in every log record of a request, and on its response.

nginx gives each request an ``X-Request-ID`` (its ``$request_id``) and logs it; the middleware
takes it (or makes one, without nginx), answers it in the response's ``X-Request-ID`` header and
keeps it in a context variable, which ``RequestIdFilter`` copies into every log record made while
the request is served, whichever logger makes it. One id then joins nginx's access log, the app's
log lines and what a member reports ("the page said X-Request-ID ...").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
# What is taken from the client or proxy: short, and nothing a log reader could mistake for
# another field (no spaces, quotes or control characters).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get(HEADER, "")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished, below), not only until this
        # returns: Django logs a response's error status ("Not Found: ...") after the middleware.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="rankandfile.lib.request_id")
def _request_id_forget(sender: object, **kwargs: object) -> None:
    _request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record: the request's, or None outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True
