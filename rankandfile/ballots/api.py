"""Ballots in the JSON API: ballots and published results readable, and voting by the page's
rules (the same service; a personal token or a session authenticates, as for the whole API)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.ballots import selectors, services
from rankandfile.ballots.models import BallotState

router = Router(tags=["ballots"])


class BallotOut(Schema):
    id: int
    title: str
    group: str | None
    state: str
    opens_at: str
    closes_at: str
    on_roll: bool
    has_voted: bool


class QuestionOut(Schema):
    position: int
    text: str
    method: str
    seats: int
    quorum: int
    threshold: str
    choices: list[str]


class BallotDetailOut(BallotOut):
    questions: list[QuestionOut]


class QuestionResultOut(Schema):
    position: int
    text: str
    result: dict[str, Any]


class ResultsOut(Schema):
    id: int
    title: str
    roll_size: int
    voted: int
    tie_break_seed: int
    questions: list[QuestionResultOut]


class VoteIn(Schema):
    receipt_hash: str
    answers: dict[str, list[int] | str]


class VoteOut(Schema):
    receipt_hash: str


class ErrorOut(Schema):
    detail: str


def _ballot_out(ballot: Any, member: User) -> dict[str, Any]:
    entry = selectors.roll_entry_of(ballot=ballot, member=member)
    return {
        "id": ballot.pk,
        "title": ballot.title,
        "group": ballot.group.slug if ballot.group else None,
        "state": ballot.state,
        "opens_at": ballot.opens_at.isoformat(),
        "closes_at": ballot.closes_at.isoformat(),
        "on_roll": entry is not None,
        "has_voted": bool(entry and entry.has_voted),
    }


@router.get("/", response=list[BallotOut])
def ballot_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Ballots of the member's groups and of the whole network."""
    member = api_member(request)
    return [_ballot_out(b, member) for b in selectors.ballots_for_member(member)]


@router.get("/{ballot_id}", response=BallotDetailOut)
def ballot_read(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    member = api_member(request)
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=member)
    questions = [
        {
            "position": q.position,
            "text": q.text,
            "method": q.method,
            "seats": q.seats,
            "quorum": q.quorum,
            "threshold": q.threshold,
            "choices": [c.name for c in q.choices.all()],
        }
        for q in ballot.questions.prefetch_related("choices")
    ]
    return {**_ballot_out(ballot, member), "questions": questions}


@router.get("/{ballot_id}/results", response={200: ResultsOut, 404: ErrorOut})
def ballot_results(request: HttpRequest, ballot_id: int) -> Status[object]:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=api_member(request))
    if ballot.state != BallotState.PUBLISHED:
        return Status(404, ErrorOut(detail="Results appear only after the ballot closes."))
    results = ResultsOut(
        id=ballot.pk,
        title=ballot.title,
        roll_size=ballot.roll_size or 0,
        voted=ballot.voted_count or 0,
        tie_break_seed=ballot.tie_break_seed,
        questions=[
            QuestionResultOut(position=q.position, text=q.text, result=q.result or {})
            for q in ballot.questions.order_by("position")
        ],
    )
    return Status(200, results)


@router.post(
    "/{ballot_id}/vote",
    response={201: VoteOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=[PersonalToken(write=True), django_auth],
)
def ballot_vote(request: HttpRequest, ballot_id: int, payload: VoteIn) -> Status[object]:
    """Cast a ballot. ``receipt_hash`` is the SHA-256 (hex) of a receipt code the client made
    and keeps; ``answers`` maps question positions to candidate numbers or yes/no/abstain."""
    member = api_member(request)
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=member)
    if rate_limited(request, action="vote", member=member):
        return Status(429, ErrorOut(detail=RATE_LIMITED))
    try:
        paper = services.ballot_cast(
            ballot=ballot, member=member, receipt_hash=payload.receipt_hash, answers=payload.answers
        )
    except services.NotOnRollError as error:
        return Status(403, ErrorOut(detail=str(error)))
    except (services.AlreadyVotedError, services.BallotNotOpenError) as error:
        return Status(409, ErrorOut(detail=str(error)))
    except services.BallotError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, VoteOut(receipt_hash=paper.receipt_hash))
