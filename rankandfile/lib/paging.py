"""Paging for list pages: 50 rows a page, the other query parameters kept in the page links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, rows: Any, *, per_page: int = PER_PAGE) -> Page[Any]:
    """The page the request asks for (``?page=``); the last one for a number past the end and
    the first for anything that is not a number, so an old link never ends on an error."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without ``page``, for templates/includes/pagination.html
    (and for a form that should bring the organiser back to the same filtered page)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
