"""Proposals in the JSON API: a group's proposals, drafts, support, amendments and comments, by
the same selectors and services as the pages, with the same permissions.

Only the group's members see its proposals (404 for anyone else), and a draft only its
proposer. Who supports a proposal or an amendment is never shown, only how many. Writes need a
token that may write (or a session); the services' refusals come back as 400 (the input), 403
(not yours to do), 409 (not now: the proposal's or comment's state) or 429 (too many writes in
a short while, ``settings.RATE_LIMITS["proposal"]``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.groups.models import Group
from rankandfile.proposals import selectors, services
from rankandfile.proposals.models import (
    Amendment,
    Proposal,
    ProposalState,
    ProposalVersion,
)
from rankandfile.proposals.passages import word_diff

router = Router(tags=["proposals"])

WRITE = [PersonalToken(write=True), django_auth]
# Ids are positive 32-bit integers; anything else names nothing (404, never a server error).
LARGEST_ID = 2**31 - 1
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class ErrorOut(Schema):
    detail: str


class ProposalOut(Schema):
    id: int
    group: str
    title: str
    state: str
    proposer: str | None
    version: int
    supporters: int
    support_threshold: int | None
    support_deadline: str | None
    discussion_closes_at: str | None
    created_at: str


class ProposalDetailOut(ProposalOut):
    text: str
    supported_by_you: bool
    result_text: str
    result_note: str


class DraftIn(Schema):
    title: str
    text: str


class DiffRunOut(Schema):
    op: Literal["equal", "insert", "delete"]
    text: str


class VersionOut(Schema):
    number: int
    text: str
    amendment: int | None
    created_at: str
    diff: list[DiffRunOut] | None


class SupportOut(Schema):
    supporters: int
    supported_by_you: bool


class AmendmentOut(Schema):
    id: int
    number: int
    author: str | None
    state: str
    state_note: str
    reason: str
    proposed_text: str
    base_version: int
    supporters: int
    supported_by_you: bool
    competes_with: list[int]
    diff: list[DiffRunOut]


class AmendmentIn(Schema):
    proposed_text: str
    reason: str = ""


class DecisionIn(Schema):
    decision: Literal["accept", "reject"]


class DecisionOut(Schema):
    amendment: int
    state: str
    version: int


# Reading -----------------------------------------------------------------------------------


def member_name(member: User | None) -> str | None:
    return member.display_name if member is not None else None


def iso_or_none(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def checked_id(value: int) -> int:
    if not 0 < value <= LARGEST_ID:
        raise Http404("No such object")
    return value


def _group(slug: str) -> Group:
    # Only what a slug can be: a NUL in a lookup is a server error on PostgreSQL.
    if not SLUG.fullmatch(slug):
        raise Http404("No such group")
    return get_object_or_404(Group, slug=slug)


def proposal_for_request(request: HttpRequest, proposal_id: int) -> Proposal:
    return selectors.proposal_get_for_viewer(
        proposal_id=checked_id(proposal_id), viewer=api_member(request)
    )


def _amendment(request: HttpRequest, amendment_id: int) -> Amendment:
    amendment = get_object_or_404(
        Amendment.objects.select_related("proposal"), pk=checked_id(amendment_id)
    )
    proposal_for_request(request, amendment.proposal_id)
    return amendment


def _proposal_out(proposal: Proposal, supporters: int) -> ProposalOut:
    return ProposalOut(
        id=proposal.pk,
        group=proposal.group.slug,
        title=proposal.title,
        state=proposal.state,
        proposer=member_name(proposal.proposer),
        version=proposal.version_number,
        supporters=supporters,
        support_threshold=proposal.support_threshold,
        support_deadline=iso_or_none(proposal.support_deadline),
        discussion_closes_at=iso_or_none(proposal.discussion_closes_at),
        created_at=proposal.created_at.isoformat(),
    )


def _detail(proposal: Proposal, member: User) -> ProposalDetailOut:
    return ProposalDetailOut(
        **_proposal_out(proposal, selectors.support_count(proposal)).dict(),
        text=proposal.text,
        supported_by_you=selectors.supports_proposal(proposal=proposal, member=member),
        result_text=proposal.result_text,
        result_note=proposal.result_note,
    )


def write_refused(request: HttpRequest, member: User) -> Status[object] | None:
    if rate_limited(request, action="proposal", member=member):
        return Status(429, ErrorOut(detail=RATE_LIMITED))
    return None


@router.get("/groups/{group_slug}", response=list[ProposalOut])
def proposal_list(request: HttpRequest, group_slug: str) -> list[ProposalOut]:
    """The group's proposals you may see (its members only; drafts only your own), newest
    first, with their support counts."""
    group = _group(group_slug)
    proposals = selectors.proposals_for_member(group=group, member=api_member(request))
    return [
        _proposal_out(p, p.support_count)  # type: ignore[attr-defined]
        for p in proposals.select_related("group")
    ]


@router.post(
    "/groups/{group_slug}",
    response={201: ProposalDetailOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def proposal_create(request: HttpRequest, group_slug: str, payload: DraftIn) -> Status[object]:
    """Draft a proposal in the group: a title and a Markdown text, seen by nobody else until
    you open it for discussion."""
    member = api_member(request)
    group = _group(group_slug)
    if not selectors.member_of_group(member=member, group_id=group.pk):
        raise Http404("No such group")
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    try:
        draft = services.proposal_draft_create(
            proposer=member, group=group, title=payload.title, text=payload.text
        )
    except services.ProposalError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, _detail(draft, member))


@router.get("/{proposal_id}", response=ProposalDetailOut)
def proposal_read(request: HttpRequest, proposal_id: int) -> ProposalDetailOut:
    """The proposal with its current text (Markdown source) and its support count."""
    return _detail(proposal_for_request(request, proposal_id), api_member(request))


@router.put(
    "/{proposal_id}",
    response={200: ProposalDetailOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def proposal_update(request: HttpRequest, proposal_id: int, payload: DraftIn) -> Status[object]:
    """Change your draft's title and text; 409 once it is open (the text then changes only
    by amendments)."""
    member = api_member(request)
    proposal = proposal_for_request(request, proposal_id)
    refused = _draft_refused(request, proposal, member)
    if refused is not None:
        return refused
    try:
        draft = services.proposal_draft_update(
            proposal=proposal, proposer=member, title=payload.title, text=payload.text
        )
    except services.ProposalError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, _detail(draft, member))


def _draft_refused(request: HttpRequest, proposal: Proposal, member: User) -> Status[object] | None:
    if proposal.proposer_id != member.pk:
        # Another's draft is not seen (404 before this); an open proposal is seen.
        return Status(403, ErrorOut(detail="Only the proposer can change a proposal."))
    if proposal.state != ProposalState.DRAFT:
        return Status(
            409, ErrorOut(detail="The proposal is open: its text changes only by amendments.")
        )
    return write_refused(request, member)


@router.post(
    "/{proposal_id}/open",
    response={200: ProposalDetailOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def proposal_open(request: HttpRequest, proposal_id: int) -> Status[object]:
    """Open your draft for discussion and support: the threshold and dates are fixed now from
    the group's rules."""
    member = api_member(request)
    proposal = proposal_for_request(request, proposal_id)
    refused = _draft_refused(request, proposal, member)
    if refused is not None:
        return refused
    try:
        opened = services.proposal_open(proposal=proposal, proposer=member)
    except services.ProposalError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, _detail(opened, member))


@router.get("/{proposal_id}/versions", response=list[VersionOut])
def proposal_versions(request: HttpRequest, proposal_id: int) -> list[VersionOut]:
    """Every text the proposal has had, oldest first, each with its word diff from the one
    before (null for the first) and the amendment that made it."""
    proposal = proposal_for_request(request, proposal_id)
    versions = ProposalVersion.objects.filter(proposal=proposal).select_related("amendment")
    rows: list[VersionOut] = []
    previous: ProposalVersion | None = None
    for version in versions.order_by("number"):
        rows.append(
            VersionOut(
                number=version.number,
                text=version.text,
                amendment=version.amendment.number if version.amendment else None,
                created_at=version.created_at.isoformat(),
                diff=_diff(previous.text, version.text) if previous else None,
            )
        )
        previous = version
    return rows


def _diff(old: str, new: str) -> list[DiffRunOut]:
    return [DiffRunOut(op=op, text=text) for op, text in word_diff(old, new)]


# Support -----------------------------------------------------------------------------------


def _support(request: HttpRequest, proposal_id: int, *, support: bool) -> Status[object]:
    member = api_member(request)
    proposal = proposal_for_request(request, proposal_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    act = services.proposal_support if support else services.proposal_unsupport
    try:
        count = act(proposal=proposal, member=member)
    except services.ProposalError as error:
        return Status(409, ErrorOut(detail=str(error)))
    return Status(200, SupportOut(supporters=count, supported_by_you=support))


@router.put(
    "/{proposal_id}/support",
    response={200: SupportOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def proposal_support(request: HttpRequest, proposal_id: int) -> Status[object]:
    """Support the proposal (again is harmless); 409 when it is not open for support."""
    return _support(request, proposal_id, support=True)


@router.delete(
    "/{proposal_id}/support",
    response={200: SupportOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def proposal_unsupport(request: HttpRequest, proposal_id: int) -> Status[object]:
    """Withdraw your support while the support period lasts."""
    return _support(request, proposal_id, support=False)


# Amendments --------------------------------------------------------------------------------


def _amendment_out(row: selectors.AmendmentRow) -> AmendmentOut:
    amendment = row.amendment
    return AmendmentOut(
        id=amendment.pk,
        number=amendment.number,
        author=member_name(amendment.author),
        state=amendment.state,
        state_note=amendment.state_note,
        reason=amendment.reason,
        proposed_text=amendment.proposed_text,
        base_version=amendment.base_version.number,
        supporters=row.support_count,
        supported_by_you=row.supported_by_viewer,
        competes_with=row.competes_with,
        diff=[DiffRunOut(op=op, text=text) for op, text in row.diff],
    )


@router.get("/{proposal_id}/amendments", response=list[AmendmentOut])
def amendment_list(request: HttpRequest, proposal_id: int) -> list[AmendmentOut]:
    """Every amendment, by number: its word diff from the version it amends (runs of kept,
    inserted and deleted text), its support, and the live amendments it competes with."""
    proposal = proposal_for_request(request, proposal_id)
    rows = selectors.amendments_for_page(proposal=proposal, viewer=api_member(request))
    return [_amendment_out(row) for row in rows]


def _amendment_row(amendment: Amendment, member: User) -> AmendmentOut:
    rows = selectors.amendments_for_page(proposal=amendment.proposal, viewer=member)
    return next(_amendment_out(row) for row in rows if row.amendment.pk == amendment.pk)


@router.post(
    "/{proposal_id}/amendments",
    response={201: AmendmentOut, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def amendment_create(
    request: HttpRequest, proposal_id: int, payload: AmendmentIn
) -> Status[object]:
    """Propose an amendment: the whole text as you would have it, and why; 409 unless the
    proposal is being discussed."""
    member = api_member(request)
    proposal = proposal_for_request(request, proposal_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    if not proposal.in_discussion:
        return Status(
            409, ErrorOut(detail="Amendments can be proposed only while it is discussed.")
        )
    try:
        amendment = services.amendment_propose(
            proposal=proposal,
            author=member,
            proposed_text=payload.proposed_text,
            reason=payload.reason,
        )
    except services.ProposalError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, _amendment_row(amendment, member))


@router.post(
    "/amendments/{amendment_id}/decision",
    response={200: DecisionOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def amendment_decide(
    request: HttpRequest, amendment_id: int, payload: DecisionIn
) -> Status[object]:
    """The proposer accepts an amendment (the text becomes its text, a new version) or
    rejects it (with enough supporters it still goes to the ballot as its own question)."""
    member = api_member(request)
    amendment = _amendment(request, amendment_id)
    if amendment.proposal.proposer_id != member.pk:
        return Status(403, ErrorOut(detail="Only the proposer can accept or reject an amendment."))
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    try:
        if payload.decision == "accept":
            services.amendment_accept(amendment=amendment, proposer=member)
        else:
            services.amendment_reject(amendment=amendment, proposer=member)
    except services.ProposalError as error:
        return Status(409, ErrorOut(detail=str(error)))
    amendment.refresh_from_db()
    proposal = Proposal.objects.get(pk=amendment.proposal_id)
    return Status(
        200,
        DecisionOut(
            amendment=amendment.number, state=amendment.state, version=proposal.version_number
        ),
    )


def _amendment_support(request: HttpRequest, amendment_id: int, *, support: bool) -> Status[object]:
    member = api_member(request)
    amendment = _amendment(request, amendment_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    act = services.amendment_support if support else services.amendment_unsupport
    try:
        count = act(amendment=amendment, member=member)
    except services.ProposalError as error:
        return Status(409, ErrorOut(detail=str(error)))
    return Status(200, SupportOut(supporters=count, supported_by_you=support))


@router.put(
    "/amendments/{amendment_id}/support",
    response={200: SupportOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def amendment_support(request: HttpRequest, amendment_id: int) -> Status[object]:
    """Support an amendment still in play (open, or rejected by the proposer)."""
    return _amendment_support(request, amendment_id, support=True)


@router.delete(
    "/amendments/{amendment_id}/support",
    response={200: SupportOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def amendment_unsupport(request: HttpRequest, amendment_id: int) -> Status[object]:
    return _amendment_support(request, amendment_id, support=False)
