"""Middleware of the project as a whole."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    """Django answers a method a view does not take (a GET on a POST-only address, usually a
    bookmark or a reload) with a 405 and an empty page; a person gets templates/405.html
    instead, with a way back. API clients that do not ask for HTML keep the empty answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and isinstance(response, HttpResponse)
            and not response.content
            and request.accepts("text/html")
        ):
            response.content = render_to_string("405.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
