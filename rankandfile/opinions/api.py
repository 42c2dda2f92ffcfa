"""Conversations in the JSON API: statements, the member's own votes (read and write) and the
map, by the same selectors and services as the pages.

Nothing here says how another member voted: a vote is read back only by the member who cast it
(``/votes``), and the map names participants by number, never by member.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.opinions import selectors, services
from rankandfile.opinions.models import (
    MAP_VOTES_LEAST,
    VOTABLE,
    Conversation,
    Statement,
    StatementStatus,
)

router = Router(tags=["conversations"])

VoteName = Literal["agree", "disagree", "pass"]
VOTE_VALUES: dict[str, int] = {"agree": 1, "disagree": -1, "pass": 0}
VOTE_NAMES: dict[int, VoteName] = {1: "agree", -1: "disagree", 0: "pass"}
WRITE = [PersonalToken(write=True), django_auth]


class ConversationOut(Schema):
    id: int
    question: str
    description: str
    group: str | None
    state: str
    moderation: str
    closes_at: str | None
    map_published: bool


class ConversationDetailOut(ConversationOut):
    may_organise: bool
    may_take_part: bool
    votes_cast: int
    map_visible: bool


class StatementOut(Schema):
    number: int
    text: str
    status: str


class StatementIn(Schema):
    text: str


class VoteIn(Schema):
    vote: VoteName


class VoteOut(Schema):
    statement: int
    vote: VoteName


class NextOut(Schema):
    statement: StatementOut | None


class RepnessOut(Schema):
    statement: int
    direction: str
    percent: int


class ConsensusOut(Schema):
    agree: list[int]
    disagree: list[int]


class MapOut(Schema):
    computed_at: str
    participants: int
    votes: int
    groups: list[list[int]]
    repness: dict[int, list[RepnessOut]]
    consensus: ConsensusOut
    group_informed_consensus: dict[int, float]
    divisive: list[int]
    your_group: int | None


class ErrorOut(Schema):
    detail: str


def _conversation_out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.pk,
        question=conversation.question,
        description=conversation.description,
        group=conversation.group.slug if conversation.group else None,
        state=conversation.state,
        moderation=conversation.moderation,
        closes_at=conversation.closes_at.isoformat() if conversation.closes_at else None,
        map_published=conversation.map_published,
    )


def _statement_out(statement: Statement) -> StatementOut:
    return StatementOut(number=statement.number, text=statement.text, status=statement.status)


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=api_member(request)
    )


@router.get("", response=list[ConversationOut])
def conversation_list(request: HttpRequest) -> list[ConversationOut]:
    """The conversations the member may see: open ones first, newest first."""
    return [_conversation_out(c) for c in selectors.conversations_for_viewer(api_member(request))]


@router.get("/{conversation_id}", response=ConversationDetailOut)
def conversation_read(request: HttpRequest, conversation_id: int) -> ConversationDetailOut:
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    return ConversationDetailOut(
        **_conversation_out(conversation).dict(),
        may_organise=services.member_may_organise(member=member, group=conversation.group),
        may_take_part=conversation.is_open
        and services.member_may_take_part(member=member, conversation=conversation),
        votes_cast=selectors.votes_cast_by(conversation=conversation, viewer=member),
        map_visible=selectors.map_visible_to(conversation=conversation, viewer=member),
    )


@router.get("/{conversation_id}/statements", response=list[StatementOut])
def statement_list(request: HttpRequest, conversation_id: int) -> list[StatementOut]:
    """The statements open for votes (accepted and meta), by number; the conversation's
    organisers also see those waiting for moderation. Authors are never shown."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    shown = list(VOTABLE)
    if services.member_may_organise(member=member, group=conversation.group):
        shown.append(StatementStatus.PENDING)
    statements = conversation.statements.filter(status__in=shown).order_by("number")
    return [_statement_out(s) for s in statements]


@router.post(
    "/{conversation_id}/statements",
    response={201: StatementOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def statement_submit(
    request: HttpRequest, conversation_id: int, payload: StatementIn
) -> Status[object]:
    """Write a statement (at most 280 characters); it counts as your agreeing with it. It is
    shown at once or after moderation, as the conversation is set (``status``)."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    refused = _refused(request, conversation, member)
    if refused is not None:
        return refused
    try:
        statement = services.statement_submit(
            conversation=conversation, member=member, text=payload.text
        )
    except services.OpinionError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, _statement_out(statement))


@router.get("/{conversation_id}/votes", response=dict[int, VoteName])
def vote_list(request: HttpRequest, conversation_id: int) -> dict[int, VoteName]:
    """Your own votes, statement number to vote; empty once the conversation has closed (its
    votes are then no longer kept under your name)."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    votes = services.votes_of(conversation=conversation, member=member)
    numbers = dict(conversation.statements.filter(pk__in=votes.keys()).values_list("pk", "number"))
    return {numbers[pk]: VOTE_NAMES[value] for pk, value in sorted(votes.items())}


@router.put(
    "/{conversation_id}/votes/{number}",
    response={
        200: VoteOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        429: ErrorOut,
    },
    auth=WRITE,
)
def vote_cast(
    request: HttpRequest, conversation_id: int, number: int, payload: VoteIn
) -> Status[object]:
    """Agree, disagree or pass on statement ``number``; casting again changes your vote."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    statement = conversation.statements.filter(number=number, status__in=VOTABLE).first()
    if statement is None:
        return Status(404, ErrorOut(detail="No such statement is open for votes."))
    refused = _refused(request, conversation, member)
    if refused is not None:
        return refused
    try:
        services.vote_cast(
            conversation=conversation,
            statement=statement,
            member=member,
            value=VOTE_VALUES[payload.vote],
        )
    except services.OpinionError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, VoteOut(statement=statement.number, vote=payload.vote))


def _refused(
    request: HttpRequest, conversation: Conversation, member: User
) -> Status[object] | None:
    """409 once closed, 403 for a member who may not take part (not in the group), 429 after
    too many votes and statements in a short while (``settings.RATE_LIMITS["opinion"]``)."""
    if rate_limited(request, action="opinion", member=member):
        return Status(429, ErrorOut(detail=RATE_LIMITED))
    if not conversation.is_open:
        return Status(409, ErrorOut(detail="The conversation has closed."))
    if not services.member_may_take_part(member=member, conversation=conversation):
        return Status(
            403, ErrorOut(detail="Only the group's members can take part in this conversation.")
        )
    return None


@router.get("/{conversation_id}/next", response=NextOut)
def statement_next(request: HttpRequest, conversation_id: int) -> NextOut:
    """The statement to vote on next (the one the map most needs votes on), or null when you
    have voted on every statement or the conversation has closed."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    statement = (
        services.next_statement_for(conversation=conversation, member=member)
        if conversation.is_open
        else None
    )
    return NextOut(statement=_statement_out(statement) if statement else None)


@router.get("/{conversation_id}/map", response={200: MapOut, 403: ErrorOut, 404: ErrorOut})
def map_read(request: HttpRequest, conversation_id: int) -> Status[object]:
    """The opinion map: each group as its participants' numbers, the statements that represent
    each group, those that unite them (consensus, group-informed consensus) and those that
    divide them. While the conversation is open it is shown to its organisers and to members
    who have voted on 7 statements (403 otherwise); after the close, to everyone once the
    organisers publish it. 404 until the map is first computed."""
    member = api_member(request)
    conversation = _conversation(request, conversation_id)
    if not selectors.map_visible_to(conversation=conversation, viewer=member):
        detail = (
            f"The map is shown once you have voted on {MAP_VOTES_LEAST} statements."
            if conversation.is_open
            else "The organisers have not published this conversation's map."
        )
        return Status(403, ErrorOut(detail=detail))
    result = selectors.map_of(conversation)
    if result is None:
        return Status(404, ErrorOut(detail="The map has not been computed yet."))
    data = result.data
    groups: list[list[int]] = [[] for _ in data["group_sizes"]]
    for participant, group in data["groups"].items():
        groups[group].append(int(participant))
    participant = services.participant_of(conversation=conversation, member=member)
    your_group = data["groups"].get(str(participant.number)) if participant else None
    return Status(
        200,
        MapOut(
            computed_at=result.computed_at.isoformat(),
            participants=result.participants_count,
            votes=result.votes_count,
            groups=[sorted(members) for members in groups],
            repness={
                int(group): [
                    RepnessOut(
                        statement=row["statement"],
                        direction=row["direction"],
                        percent=row["percent"],
                    )
                    for row in rows
                ]
                for group, rows in data["repness"].items()
            },
            consensus=ConsensusOut(**data["consensus"]),
            group_informed_consensus={
                int(s): v for s, v in data["group_informed_consensus"].items()
            },
            divisive=data["divisive"],
            your_group=your_group,
        ),
    )
