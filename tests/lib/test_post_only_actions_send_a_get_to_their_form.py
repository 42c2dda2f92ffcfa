from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from rankandfile.lib.http import post_only


def _form_page(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("form")


@post_only("form-page")
def _action(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("acted")


urlpatterns = [
    path("things/<slug:slug>/", _form_page, name="form-page"),
    path("things/<slug:slug>/act/", _action, name="act"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_get_is_sent_to_the_page_with_the_form_and_a_post_acts() -> None:
    factory = RequestFactory()
    got = _action(factory.get("/things/a/act/"), slug="a")
    assert got.status_code == 302 and got["Location"] == "/things/a/"
    assert _action(factory.post("/things/a/act/"), slug="a").content == b"acted"
    assert _action(factory.put("/things/a/act/"), slug="a").status_code == 405
