"""Introductions in the JSON API: the member's own, asked and received, by the same selectors
as the pages; a contact detail appears only on an accepted introduction, as on the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from rankandfile.accounts.api_auth import api_member
from rankandfile.introductions import selectors
from rankandfile.introductions.selectors import IntroductionRow

router = Router(tags=["introductions"])


class ContactOut(Schema):
    method: str
    value: str


class IntroductionOut(Schema):
    id: int
    side: str
    kind: str
    what: str
    group: str | None
    skill: str | None
    district: str | None
    status: str
    message: str
    asked_at: str
    other_side: str | None
    contact: ContactOut | None


class IntroductionsOut(Schema):
    asked: list[IntroductionOut]
    received: list[IntroductionOut]


def _out(row: IntroductionRow) -> IntroductionOut:
    introduction = row.introduction
    return IntroductionOut(
        id=introduction.pk,
        side=row.side,
        kind=introduction.kind,
        what=row.what,
        group=introduction.group.slug if introduction.group else None,
        skill=introduction.skill.slug if introduction.skill else None,
        district=introduction.district or None,
        status=row.status,
        message=introduction.message,
        asked_at=introduction.created_at.isoformat(),
        other_side=row.other_name or None,
        contact=ContactOut(method=row.contact.method, value=row.contact.value)
        if row.contact
        else None,
    )


@router.get("", response=IntroductionsOut, url_name="introduction_list")
def introduction_list(request: HttpRequest) -> IntroductionsOut:
    """The member's introductions: those they asked for and the requests that reached them.
    Who else a request for a skill reached is never said."""
    member = api_member(request)
    return IntroductionsOut(
        asked=[_out(row) for row in selectors.introductions_asked(member)],
        received=[_out(row) for row in selectors.introductions_received(member)],
    )
