"""Slates in the JSON API: the slates of the member's groups, applying and withdrawing by the
pages' rules (the same services), and a published slate's recommended order."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.lib.urls import absolute_url
from rankandfile.proposals import slate_selectors as selectors
from rankandfile.proposals import slates
from rankandfile.proposals.models import Slate

router = Router(tags=["slates"])
WRITE = [PersonalToken(write=True), django_auth]


class SlateOut(Schema):
    id: int
    title: str
    election: str
    group: str
    places: int
    state: str
    applications_close_at: str
    ballot_id: int | None
    url: str


class ApplicantOut(Schema):
    name: str
    statement: str


class SlateDetailOut(SlateOut):
    groups: list[str]
    applicants: list[ApplicantOut]
    applied: bool


class PlaceOut(Schema):
    place: int
    name: str


class RecommendedOut(Schema):
    id: int
    title: str
    election: str
    published_at: str
    slate: list[PlaceOut]


class ApplyIn(Schema):
    statement: str


class ErrorOut(Schema):
    detail: str


def _slate_out(slate: Slate) -> dict[str, Any]:
    return {
        "id": slate.pk,
        "title": slate.title,
        "election": slate.election,
        "group": slate.group.slug,
        "places": slate.places,
        "state": slate.state,
        "applications_close_at": slate.applications_close_at.isoformat(),
        "ballot_id": slate.ballot_id,
        "url": absolute_url(slate.get_absolute_url()),
    }


@router.get("/", response=list[SlateOut])
def slate_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Slates held (or asked to be held) by the member's groups."""
    return [_slate_out(s) for s in selectors.slates_for_member(api_member(request))]


@router.get("/{slate_id}", response=SlateDetailOut)
def slate_read(request: HttpRequest, slate_id: int) -> dict[str, Any]:
    member = api_member(request)
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=member)
    return {
        **_slate_out(slate),
        "groups": [sg.group.slug for sg in selectors.slate_groups(slate) if sg.agreed_at],
        "applicants": [
            {"name": a.name, "statement": a.statement} for a in selectors.applicants(slate)
        ],
        "applied": selectors.application_of(slate=slate, member=member) is not None,
    }


@router.post("/{slate_id}/apply", response={201: ApplicantOut, 400: ErrorOut}, auth=WRITE)
def slate_apply(request: HttpRequest, slate_id: int, payload: ApplyIn) -> Status[object]:
    """Ask to be on the slate (or change one's statement) with a short Markdown statement."""
    member = api_member(request)
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=member)
    try:
        application = slates.slate_apply(slate=slate, member=member, statement=payload.statement)
    except slates.SlateError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, ApplicantOut(name=application.name, statement=application.statement))


@router.post("/{slate_id}/withdraw", response={204: None, 400: ErrorOut}, auth=WRITE)
def slate_withdraw(request: HttpRequest, slate_id: int) -> Status[object]:
    member = api_member(request)
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=member)
    try:
        slates.slate_withdraw(slate=slate, member=member)
    except slates.SlateError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(204, None)


@router.get("/{slate_id}/recommended", response=RecommendedOut)
def slate_recommended(request: HttpRequest, slate_id: int) -> RecommendedOut:
    """A published slate's recommended order (public on its page, so any member may read it)."""
    slate = selectors.slate_get_published(slate_id=slate_id)
    assert slate.published_at is not None
    return RecommendedOut(
        id=slate.pk,
        title=slate.title,
        election=slate.election,
        published_at=slate.published_at.isoformat(),
        slate=[
            PlaceOut(place=a.slate_position or 0, name=a.name)
            for a in selectors.recommended_order(slate)
        ],
    )
