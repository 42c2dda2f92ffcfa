"""Nominations in the JSON API, with the pages' permissions: a group's members only (404 for
anyone else), every write through ``ballots.nominations``. Mounted under
``/api/v1/ballots/nominations``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.models import User
from rankandfile.ballots import nominations
from rankandfile.ballots.models import Nomination, NominationPeriod

router = Router(tags=["nominations"])
WRITE = [PersonalToken(write=True), django_auth]


class NominationOut(Schema):
    id: int
    nominee: str
    nominated_by: str | None
    seconders: int
    accepted: bool
    withdrawn: bool
    statement: str


class PeriodOut(Schema):
    id: int
    group: str
    post: str
    seats: int
    method: str
    seconders_needed: int
    closes_at: str
    closed: bool
    shuffle_seed: int
    ballot_id: int | None
    nominations: list[NominationOut]


class NominateIn(Schema):
    nominee_id: int


class StatementIn(Schema):
    statement: str


class SecondedOut(Schema):
    seconders: int


class ErrorOut(Schema):
    detail: str


def _period(request: HttpRequest, period_id: int) -> tuple[NominationPeriod, User]:
    member = api_member(request)
    period = get_object_or_404(NominationPeriod.objects.select_related("group"), pk=period_id)
    if not nominations.is_group_member(member=member, group_id=period.group_id):
        raise Http404("No such nominations")
    return period, member


def _nomination(
    request: HttpRequest, period_id: int, nomination_id: int
) -> tuple[Nomination, User]:
    period, member = _period(request, period_id)
    return get_object_or_404(Nomination, pk=nomination_id, period=period), member


def _nomination_out(nomination: Any) -> dict[str, Any]:
    return {
        "id": nomination.pk,
        "nominee": str(nomination.nominee),
        "nominated_by": str(nomination.nominated_by) if nomination.nominated_by else None,
        "seconders": nomination.seconder_count,
        "accepted": nomination.accepted_at is not None,
        "withdrawn": nomination.withdrawn_at is not None,
        "statement": nomination.statement,
    }


def _one(nomination: Nomination) -> dict[str, Any]:
    return _nomination_out(nominations.period_nominations(nomination.period).get(pk=nomination.pk))


@router.get("/{period_id}", response=PeriodOut)
def nomination_list(request: HttpRequest, period_id: int) -> dict[str, Any]:
    """A nominations period and its nominations (statements as Markdown source)."""
    period, _ = _period(request, period_id)
    return {
        "id": period.pk,
        "group": period.group.slug,
        "post": period.post,
        "seats": period.seats,
        "method": period.method,
        "seconders_needed": period.seconders_needed,
        "closes_at": period.closes_at.isoformat(),
        "closed": period.closed_at is not None,
        "shuffle_seed": period.shuffle_seed,
        "ballot_id": period.ballot_id,
        "nominations": [_nomination_out(n) for n in nominations.period_nominations(period)],
    }


@router.post("/{period_id}/nominate", response={201: NominationOut, 400: ErrorOut}, auth=WRITE)
def nomination_create(request: HttpRequest, period_id: int, payload: NominateIn) -> Status[object]:
    period, member = _period(request, period_id)
    nominee = User.objects.filter(pk=payload.nominee_id).first()
    try:
        if nominee is None:
            raise nominations.NominationError("Only a member of the group can be nominated.")
        nomination = nominations.nomination_create(period=period, nominator=member, nominee=nominee)
    except nominations.NominationError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, _one(nomination))


@router.post(
    "/{period_id}/{nomination_id}/second", response={200: SecondedOut, 400: ErrorOut}, auth=WRITE
)
def nomination_second(request: HttpRequest, period_id: int, nomination_id: int) -> Status[object]:
    nomination, member = _nomination(request, period_id, nomination_id)
    try:
        count = nominations.nomination_second(nomination=nomination, seconder=member)
    except nominations.NominationError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, SecondedOut(seconders=count))


@router.post(
    "/{period_id}/{nomination_id}/accept",
    response={200: NominationOut, 400: ErrorOut, 403: ErrorOut},
    auth=WRITE,
)
def nomination_accept(
    request: HttpRequest, period_id: int, nomination_id: int, payload: StatementIn
) -> Status[object]:
    """The nominee accepts with a statement (Markdown, at most 500 words), or changes it."""
    nomination, member = _nomination(request, period_id, nomination_id)
    if nomination.nominee_id != member.pk:
        return Status(403, ErrorOut(detail="Only the member nominated can accept."))
    try:
        nominations.nomination_accept(
            nomination=nomination, nominee=member, statement=payload.statement
        )
    except nominations.NominationError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, _one(nomination))


@router.post(
    "/{period_id}/{nomination_id}/withdraw",
    response={200: NominationOut, 400: ErrorOut, 403: ErrorOut},
    auth=WRITE,
)
def nomination_withdraw(request: HttpRequest, period_id: int, nomination_id: int) -> Status[object]:
    nomination, member = _nomination(request, period_id, nomination_id)
    if nomination.nominee_id != member.pk:
        return Status(403, ErrorOut(detail="Only the member nominated can withdraw."))
    try:
        nominations.nomination_withdraw(nomination=nomination, nominee=member)
    except nominations.NominationError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, _one(nomination))
