"""Paging helpers keep the other query parameters, never fail on a bad page number, and an
action's ``back`` field brings the organiser back to the same query on the same page only."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.test import RequestFactory, override_settings
from django.urls import path

from rankandfile.lib.http import redirect_back
from rankandfile.lib.paging import page_of, query_without_page

urlpatterns = [path("things/<slug:slug>/", lambda request, slug: None, name="things")]


def test_a_page_of_fifty_and_the_query_without_the_page() -> None:
    factory = RequestFactory()
    rows = list(range(120))

    third = page_of(factory.get("/", {"page": "3"}), rows)
    assert list(third) == list(range(100, 120))
    assert list(page_of(factory.get("/", {"page": "99"}), rows)) == list(range(100, 120))
    assert list(page_of(factory.get("/", {"page": "x"}), rows)) == list(range(50))
    assert list(page_of(factory.get("/"), [])) == []

    request = factory.get("/", {"text": "ros a", "role": "member", "page": "2"})
    assert query_without_page(request) == "text=ros+a&role=member"
    assert query_without_page(factory.get("/", {"page": "2"})) == ""


@override_settings(ROOT_URLCONF=__name__)
def test_back_is_only_ever_a_query_string_on_the_named_page() -> None:
    factory = RequestFactory()

    kept = redirect_back(factory.post("/", {"back": "text=a&page=2"}), "things", slug="b")
    assert kept["Location"] == "/things/b/?text=a&page=2"
    assert redirect_back(factory.post("/"), "things", slug="b")["Location"] == "/things/b/"
    for hostile in ("//evil.example/", "https://evil.example/?a=1", "\\\\evil.example"):
        response = redirect_back(factory.post("/", {"back": hostile}), "things", slug="b")
        location = urlsplit(response["Location"])
        assert (location.scheme, location.netloc, location.path) == ("", "", "/things/b/")
