"""404, 403, 405 and 500 answer with our own pages, through Django's real handlers: a heading,
a plain explanation, our stylesheet and a way back to the home page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from rankandfile import urls as project_urls
from tests.personas import MakeMember


def _refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("the exception's own words are never shown")


def _fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


@require_POST
def _act(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


# The project's URLs and its 500 handler, with views that fail or refuse as real ones can.
urlpatterns = [
    path("test-refuse/", _refuse),
    path("test-fail/", _fail),
    path("test-act/", _act),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500


def _assert_branded(html: str, heading: str) -> None:
    assert f"<h1>{heading}</h1>" in html
    assert "/static/css/site.css" in html
    assert 'class="site-header"' in html
    assert f'href="{reverse("home")}">Go to the home page</a>' in html


@pytest.mark.django_db
def test_an_unknown_address_answers_our_404_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    _assert_branded(response.content.decode(), "Page not found")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_answers_our_403_page_without_the_exception_text() -> None:
    response = Client().get("/test-refuse/")
    assert response.status_code == 403
    html = response.content.decode()
    _assert_branded(html, "You cannot open this page")
    assert "never shown" not in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_get_on_a_post_only_address_answers_our_405_page_but_api_clients_get_no_html(
    make_member: MakeMember,
) -> None:
    client = Client()
    client.force_login(make_member())
    address = "/test-act/"  # require_POST: Django's empty 405 for a GET
    response = client.get(address, headers={"accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    _assert_branded(response.content.decode(), "This address cannot be opened directly")

    assert client.get(address, headers={"accept": "application/json"}).content == b""


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_answers_our_500_page_without_a_request_context() -> None:
    response = Client(raise_request_exception=False).get("/test-fail/")
    assert response.status_code == 500
    html = response.content.decode()
    _assert_branded(html, "Sorry, something went wrong")
    assert "Rank and File" in html  # the site's name, given by the handler itself
    assert "a bug" not in html


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_says_how_to_recover() -> None:
    response = Client(enforce_csrf_checks=True).post(
        reverse("account_login"), {"login": "someone@example.org", "password": "x"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    _assert_branded(html, "Your form could not be sent")
    assert "reload the page" in html
