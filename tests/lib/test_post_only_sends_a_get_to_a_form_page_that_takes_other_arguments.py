"""post_only(form_page, slug="group_slug"): an action whose address has other arguments than
its form's page (a member's id, a demand's position) still sends a GET to that page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from rankandfile.lib.http import post_only


def _manage_page(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("form")


@post_only("manage", slug="group_slug")
def _vouch(request: HttpRequest, group_slug: str, member_id: int) -> HttpResponse:
    return HttpResponse(f"vouched for {member_id} in {group_slug}")


urlpatterns = [
    path("groups/<slug:slug>/manage/", _manage_page, name="manage"),
    path("vouch/<slug:group_slug>/<int:member_id>/", _vouch, name="vouch"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_get_goes_to_the_form_page_with_only_the_arguments_it_takes() -> None:
    factory = RequestFactory()
    got = _vouch(factory.get("/vouch/leeds/7/"), group_slug="leeds", member_id=7)
    assert got.status_code == 302 and got["Location"] == "/groups/leeds/manage/"
    acted = _vouch(factory.post("/vouch/leeds/7/"), group_slug="leeds", member_id=7)
    assert acted.content == b"vouched for 7 in leeds"
    deleted = _vouch(factory.delete("/vouch/leeds/7/"), group_slug="leeds", member_id=7)
    assert deleted.status_code == 405
