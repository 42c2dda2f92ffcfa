"""Helpers for views that only act on POST."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, resolve_url

View = Callable[..., HttpResponse]


def post_only(form_page: str, **form_page_kwargs: str) -> Callable[[View], View]:
    """An action address that acts only on POST; a GET (a bookmark, a reload after the act, a
    link pasted from an email) goes to the page that holds its form instead of an empty 405.

    ``form_page`` is a URL name reversed with the view's own keyword arguments, so it must take
    the same ones (``campaigns:detail`` for ``campaigns:pledge``, both by ``slug``), unless
    ``form_page_kwargs`` name which of the view's arguments it takes:
    ``post_only("groups:manage", slug="group_slug")`` on ``vouch(request, group_slug,
    member_id)`` goes to the group's manage page. Other methods still answer 405.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                if form_page_kwargs:
                    args = ()
                    kwargs = {name: kwargs[arg] for name, arg in form_page_kwargs.items()}
                response: HttpResponse = redirect(form_page, *args, **kwargs)
                return response
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def redirect_back(request: HttpRequest, to: str, *args: Any, **kwargs: Any) -> HttpResponse:
    """Redirect to the named page ``to``, with the query string the action's form sent back in
    its ``back`` field (an organiser acting on page 3 of a filtered table lands on it again).

    Only a query string is taken from the form, parsed and encoded again, so ``back`` can never
    send anyone to another page or site.
    """
    url = resolve_url(to, *args, **kwargs)
    query = QueryDict(request.POST.get("back", "")).urlencode()
    response: HttpResponse = redirect(f"{url}?{query}" if query else url)
    return response
