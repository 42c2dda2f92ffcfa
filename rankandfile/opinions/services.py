"""Every write about a conversation: open, moderate, submit, vote, close, and the recompute.

The busy path is ``vote_cast``: one participant row per member (found by the member key), one
vote row per statement (a changed vote replaces the old one), and a request for a recompute
that is coalesced: a vote queues the background recompute only when none is queued already
(``Conversation.recompute_queued``), and the run starts ``RECOMPUTE_AFTER`` later, so that a
burst of votes costs one recompute. The maths never runs in a request.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.opinions import maths
from rankandfile.opinions.models import (
    SEED_STATEMENTS_MOST,
    STATEMENT_LONGEST,
    VOTABLE,
    Conversation,
    ConversationState,
    Moderation,
    OpinionMapResult,
    Participant,
    Statement,
    StatementStatus,
    Vote,
    VoteValue,
)
from rankandfile.opinions.summary import map_data

RECOMPUTE_AFTER = timedelta(seconds=10)
# A member may write this many statements in one conversation (Polis has no limit; a flood of
# statements from one account is the commonest abuse of an open forum).
STATEMENTS_PER_MEMBER_MOST = 20
QUESTION_LONGEST = 200


class OpinionError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


def member_key(*, conversation_id: int, member_id: int) -> str:
    """The key a member's votes are stored under while the conversation is open: a keyed hash,
    so that the database alone does not say whose they are."""
    return salted_hmac(
        "rankandfile.opinions.participant", f"{conversation_id}:{member_id}", algorithm="sha256"
    ).hexdigest()


def member_may_organise(*, member: User, group: Group | None) -> bool:
    """A group's organisers run its conversations; the network's are run by staff."""
    if group is None:
        return bool(member.is_staff)
    return member_is_organiser(member, group)


def member_may_take_part(*, member: User, conversation: Conversation) -> bool:
    """A group's members take part in its conversations; any member in the network's."""
    if not member.is_active:
        return False
    if conversation.group_id is None:
        return True
    return Membership.objects.filter(group_id=conversation.group_id, member=member).exists()


def _clean_statement(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise OpinionError("Write a statement.")
    # The API takes any JSON string; PostgreSQL refuses a NUL in a text column.
    if any(unicodedata.category(character) == "Cc" for character in cleaned):
        raise OpinionError("A statement cannot contain control characters.")
    if len(cleaned) > STATEMENT_LONGEST:
        raise OpinionError(
            f"A statement can be at most {STATEMENT_LONGEST} characters; "
            f"this one has {len(cleaned)}."
        )
    return cleaned


def _check_closes_at(closes_at: datetime | None, now: datetime) -> None:
    if closes_at is not None and closes_at <= now:
        raise OpinionError("The closing time must be in the future.")


@transaction.atomic
def conversation_create(
    *,
    organiser: User,
    group: Group | None,
    question: str,
    seed_statements: Sequence[str],
    description: str = "",
    closes_at: datetime | None = None,
    moderation: str = Moderation.ACCEPTED_UNLESS_REJECTED,
    now: datetime | None = None,
) -> Conversation:
    """Open a conversation with its seed statements, accepted at once."""
    now = now or timezone.now()
    if not member_may_organise(member=organiser, group=group):
        raise OpinionError("Only the group's organisers can open its conversations.")
    question = question.strip()
    if not question:
        raise OpinionError("Write the question the conversation is about.")
    if len(question) > QUESTION_LONGEST:
        raise OpinionError(f"The question can be at most {QUESTION_LONGEST} characters.")
    seeds = [_clean_statement(text) for text in seed_statements if text.strip()]
    if len(seeds) > SEED_STATEMENTS_MOST:
        raise OpinionError(f"Start with at most {SEED_STATEMENTS_MOST} seed statements.")
    if len(set(seeds)) != len(seeds):
        raise OpinionError("Two seed statements are the same.")
    _check_closes_at(closes_at, now)
    conversation = Conversation.objects.create(
        group=group,
        question=question,
        description=description.strip(),
        closes_at=closes_at,
        moderation=moderation,
        created_by=organiser,
        next_statement_number=len(seeds),
    )
    Statement.objects.bulk_create(
        Statement(
            conversation=conversation,
            number=number,
            text=text,
            status=StatementStatus.ACCEPTED,
            is_seed=True,
            author=organiser,
        )
        for number, text in enumerate(seeds)
    )
    audit_record(
        actor=organiser,
        action="opinions.conversation_create",
        target_type="conversation",
        target_id=conversation.pk,
        details={"group": group.pk if group else None, "seeds": len(seeds)},
    )
    return conversation


@transaction.atomic
def conversation_import(
    *,
    group: Group | None,
    question: str,
    statements: Sequence[tuple[int, str, str]],
    votes: Sequence[tuple[int, int, int]],
    map_published: bool = False,
    now: datetime | None = None,
) -> Conversation:
    """A conversation held elsewhere (a Polis export, read by ``polis_import``), kept as a
    closed conversation: its statements (number, text, status) and votes (participant number,
    statement number, value) as numbered there, its participants known only by number.
    Nothing here names a member: imported statements have no author."""
    now = now or timezone.now()
    question = " ".join(question.split())
    if not question or len(question) > QUESTION_LONGEST:
        raise OpinionError(f"The question must be 1 to {QUESTION_LONGEST} characters.")
    participants = sorted({participant for participant, _, _ in votes})
    conversation = Conversation.objects.create(
        group=group,
        question=question,
        state=ConversationState.CLOSED,
        closed_at=now,
        map_published=map_published,
        next_statement_number=max((n for n, _, _ in statements), default=-1) + 1,
        next_participant_number=max(participants, default=-1) + 1,
    )
    Statement.objects.bulk_create(
        Statement(conversation=conversation, number=number, text=text, status=status)
        for number, text, status in statements
    )
    statement_pk = dict(conversation.statements.values_list("number", "pk"))
    Participant.objects.bulk_create(
        Participant(conversation=conversation, number=number) for number in participants
    )
    participant_pk = dict(conversation.participants.values_list("number", "pk"))
    Vote.objects.bulk_create(
        (
            Vote(
                participant_id=participant_pk[participant],
                statement_id=statement_pk[statement],
                value=value,
            )
            for participant, statement, value in votes
        ),
        batch_size=5000,
    )
    audit_record(
        actor=None,
        action="opinions.conversation_import",
        target_type="conversation",
        target_id=conversation.pk,
        details={
            "group": group.pk if group else None,
            "statements": len(statements),
            "votes": len(votes),
        },
    )
    return conversation


def _organised_locked(*, conversation: Conversation, organiser: User) -> Conversation:
    locked = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=conversation.pk)
    )
    if not member_may_organise(member=organiser, group=locked.group):
        raise OpinionError("Only the conversation's organisers can do that.")
    return locked


@transaction.atomic
def conversation_settings_update(
    *,
    conversation: Conversation,
    organiser: User,
    moderation: str,
    closes_at: datetime | None,
    map_published: bool,
    now: datetime | None = None,
) -> Conversation:
    now = now or timezone.now()
    locked = _organised_locked(conversation=conversation, organiser=organiser)
    if locked.is_open and closes_at != locked.closes_at:
        _check_closes_at(closes_at, now)
    locked.moderation = moderation
    locked.map_published = map_published
    if locked.is_open:
        locked.closes_at = closes_at
    locked.save(update_fields=["moderation", "map_published", "closes_at"])
    audit_record(
        actor=organiser,
        action="opinions.conversation_settings",
        target_type="conversation",
        target_id=locked.pk,
        details={"moderation": moderation, "map_published": map_published},
    )
    return locked


def _close(conversation: Conversation, now: datetime) -> None:
    """Close, and forget whose votes are whose: only the numbered matrix is left."""
    conversation.state = ConversationState.CLOSED
    conversation.closed_at = now
    conversation.save(update_fields=["state", "closed_at"])
    Participant.objects.filter(conversation=conversation).update(member_key=None)
    recompute_request(conversation.pk)


@transaction.atomic
def conversation_close(
    *, conversation: Conversation, organiser: User, now: datetime | None = None
) -> Conversation:
    locked = _organised_locked(conversation=conversation, organiser=organiser)
    if not locked.is_open:
        raise OpinionError("The conversation is already closed.")
    _close(locked, now or timezone.now())
    audit_record(
        actor=organiser,
        action="opinions.conversation_close",
        target_type="conversation",
        target_id=locked.pk,
    )
    return locked


def conversations_close_due(*, now: datetime | None = None) -> int:
    """Close the conversations whose closing time has passed. Safe to run twice or concurrently."""
    now = now or timezone.now()
    closed = 0
    due = Conversation.objects.filter(state=ConversationState.OPEN, closes_at__lte=now)
    for conversation_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Conversation.objects.select_for_update()
                .filter(pk=conversation_id, state=ConversationState.OPEN)
                .first()
            )
            if locked is not None:
                _close(locked, now)
                closed += 1
    return closed


def _require_taking_part(conversation: Conversation, member: User) -> None:
    if not conversation.is_open:
        raise OpinionError("The conversation has closed.")
    if not member_may_take_part(member=member, conversation=conversation):
        raise OpinionError("Only the group's members can take part in this conversation.")


def _participant_for(conversation: Conversation, member: User) -> Participant:
    """The member's participant row, made (with the next number) on their first vote."""
    key = member_key(conversation_id=conversation.pk, member_id=member.pk)
    participant = Participant.objects.filter(conversation=conversation, member_key=key).first()
    if participant is not None:
        return participant
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    participant = Participant.objects.filter(conversation=conversation, member_key=key).first()
    if participant is None:
        participant = Participant.objects.create(
            conversation=conversation, number=locked.next_participant_number, member_key=key
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            next_participant_number=F("next_participant_number") + 1
        )
    return participant


def participant_of(*, conversation: Conversation, member: User) -> Participant | None:
    if not conversation.is_open:
        return None
    key = member_key(conversation_id=conversation.pk, member_id=member.pk)
    return Participant.objects.filter(conversation=conversation, member_key=key).first()


@transaction.atomic
def statement_submit(*, conversation: Conversation, member: User, text: str) -> Statement:
    """A member's statement; shown at once or after moderation, as the conversation is set.
    As in Polis, writing a statement counts as agreeing with it."""
    _require_taking_part(conversation, member)
    cleaned = _clean_statement(text)
    written = Statement.objects.filter(conversation=conversation, author=member).count()
    if written >= STATEMENTS_PER_MEMBER_MOST:
        raise OpinionError(f"You have written {written} statements here, the most one member can.")
    if Statement.objects.filter(conversation=conversation, text__iexact=cleaned).exists():
        raise OpinionError("That statement is already in the conversation.")
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    status = (
        StatementStatus.ACCEPTED
        if locked.moderation == Moderation.ACCEPTED_UNLESS_REJECTED
        else StatementStatus.PENDING
    )
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                conversation=locked,
                number=locked.next_statement_number,
                text=cleaned,
                status=status,
                author=member,
            )
    except IntegrityError:
        raise OpinionError("That statement is already in the conversation.") from None
    Conversation.objects.filter(pk=locked.pk).update(
        next_statement_number=F("next_statement_number") + 1
    )
    participant = _participant_for(locked, member)
    Vote.objects.create(participant=participant, statement=statement, value=VoteValue.AGREE)
    recompute_request(locked.pk)
    return statement


@transaction.atomic
def statement_moderate(*, statement: Statement, organiser: User, status: str) -> Statement:
    if status not in StatementStatus.values or status == StatementStatus.PENDING:
        raise OpinionError("Choose accept, reject or meta.")
    _organised_locked(conversation=statement.conversation, organiser=organiser)
    statement.status = status
    statement.save(update_fields=["status"])
    audit_record(
        actor=organiser,
        action="opinions.statement_moderate",
        target_type="statement",
        target_id=statement.pk,
        details={"conversation": statement.conversation_id, "status": status},
    )
    recompute_request(statement.conversation_id)
    return statement


@transaction.atomic
def statements_moderate_by_admin(
    *, statements: Sequence[Statement], admin: User, status: str
) -> int:
    """Site admins (staff, from the admin site) moderate statements of any conversation, as
    its organisers do: audited, and the map recomputed."""
    if not (admin.is_active and admin.is_staff):
        raise OpinionError("Only site admins can do that.")
    if status not in StatementStatus.values or status == StatementStatus.PENDING:
        raise OpinionError("Choose accept, reject or meta.")
    changed = Statement.objects.filter(pk__in=[s.pk for s in statements]).exclude(status=status)
    rows = list(changed.values_list("pk", "conversation_id"))
    changed.update(status=status)
    for statement_id, conversation_id in rows:
        audit_record(
            actor=admin,
            action="opinions.statement_moderate",
            target_type="statement",
            target_id=statement_id,
            details={"conversation": conversation_id, "status": status, "by_admin": True},
        )
    for conversation_id in sorted({conversation_id for _, conversation_id in rows}):
        recompute_request(conversation_id)
    return len(rows)


@transaction.atomic
def vote_cast(
    *, conversation: Conversation, statement: Statement, member: User, value: int
) -> Vote:
    """Agree (1), disagree (-1) or pass (0); casting again changes the member's vote."""
    _require_taking_part(conversation, member)
    if value not in VoteValue.values:
        raise OpinionError("Vote agree, disagree or pass.")
    if statement.conversation_id != conversation.pk or statement.status not in VOTABLE:
        raise OpinionError("That statement is not open for votes.")
    participant = _participant_for(conversation, member)
    vote, _ = Vote.objects.update_or_create(
        participant=participant, statement=statement, defaults={"value": value}
    )
    recompute_request(conversation.pk)
    return vote


def _own_votes(conversation: Conversation, member: User) -> QuerySet[Vote]:
    """The member's votes in an open conversation, found through their key in one query;
    none once it has closed (the keys are cleared then)."""
    if not conversation.is_open:
        return Vote.objects.none()
    key = member_key(conversation_id=conversation.pk, member_id=member.pk)
    return Vote.objects.filter(participant__conversation=conversation, participant__member_key=key)


def votes_of(*, conversation: Conversation, member: User) -> dict[int, int]:
    """The member's own votes, statement id to value; empty once the conversation has closed."""
    return dict(_own_votes(conversation, member).values_list("statement_id", "value"))


def votes_count_of(*, conversation: Conversation, member: User) -> int:
    return _own_votes(conversation, member).count()


def next_statement_for(*, conversation: Conversation, member: User) -> Statement | None:
    """The statement the member should vote on next: of those they have not voted on, the one
    the map most needs votes on (Polis's routing priority; new statements first)."""
    statements = conversation.statements.filter(status__in=VOTABLE).exclude(
        pk__in=_own_votes(conversation, member).values("statement_id")
    )
    return statements.order_by(F("priority").desc(nulls_first=True), "number").first()


def recompute_request(conversation_id: int) -> None:
    """After commit, queue one recompute of the map unless one is already queued."""

    def queue() -> None:
        from rankandfile.opinions.tasks import opinion_map_recompute

        queued = Conversation.objects.filter(pk=conversation_id, recompute_queued=False).update(
            recompute_queued=True
        )
        if queued:
            opinion_map_recompute.using(run_after=timezone.now() + RECOMPUTE_AFTER).enqueue(
                conversation_id
            )

    transaction.on_commit(queue)


def map_recompute(*, conversation_id: int, now: datetime | None = None) -> OpinionMapResult:
    """Compute the map from every vote and keep it; groups keep their numbers where they can."""
    Conversation.objects.filter(pk=conversation_id).update(recompute_queued=False)
    conversation = Conversation.objects.get(pk=conversation_id)
    statements = list(conversation.statements.values_list("pk", "number", "status"))
    number_of = {pk: number for pk, number, _ in statements}
    moderated_out = {n for _, n, s in statements if s not in VOTABLE}
    meta = {n for _, n, s in statements if s == StatementStatus.META}
    votes = [
        (participant, number_of[statement], value)
        for participant, statement, value in Vote.objects.filter(
            participant__conversation_id=conversation_id
        )
        .order_by("participant__number", "statement_id")
        .values_list("participant__number", "statement_id", "value")
    ]
    previous = OpinionMapResult.objects.filter(conversation_id=conversation_id).first()
    previous_groups = {int(p): g for p, g in previous.data["groups"].items()} if previous else None
    result = maths.opinion_map(
        votes,
        moderated_out=moderated_out,
        meta=meta,
        statements=number_of.values(),
        previous_groups=previous_groups,
    )
    data = map_data(result, votes)
    with transaction.atomic():
        saved, _ = OpinionMapResult.objects.update_or_create(
            conversation_id=conversation_id,
            defaults={
                "computed_at": now or timezone.now(),
                "participants_count": len(result.participants),
                "votes_count": len(votes),
                "data": data,
            },
        )
        by_number = {number: pk for pk, number in number_of.items()}
        Statement.objects.bulk_update(
            [
                Statement(pk=by_number[number], priority=value)
                for number, value in result.priority.items()
                if number in by_number
            ],
            ["priority"],
        )
    return saved
