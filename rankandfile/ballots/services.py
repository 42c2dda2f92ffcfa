"""Every write about ballots: creation, opening (the roll), casting, closing and counting.

The flow of a ballot: :func:`ballot_create` (draft) → :func:`ballot_open` (the roll is frozen from
the electorate) → :func:`ballot_cast` per voter → :func:`ballot_close` (after the closing time, or
early by an organiser) → :func:`ballot_count` (results and verification bundle; published).

Why casting cannot double-vote or slip past the close:

- marking the roll is one conditional ``UPDATE ... WHERE has_voted = false``; under concurrent
  requests the database lets exactly one of them change the row, and the paper is inserted in
  the same transaction, so a failure anywhere leaves neither;
- on PostgreSQL a cast holds ``FOR SHARE`` on the ballot row while it writes, and closing takes
  ``FOR UPDATE`` on it: the close waits for casts in flight, and casts that start later see the
  ballot closed. (SQLite runs one write transaction at a time, which gives the same order.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from allauth.mfa.models import Authenticator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import formats, timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.selectors import members_consenting_to
from rankandfile.audit.services import audit_record
from rankandfile.ballots.models import (
    RANKED_METHODS,
    Ballot,
    BallotBundle,
    BallotPaper,
    BallotState,
    Choice,
    Electorate,
    Method,
    Question,
    RollEntry,
    Threshold,
)
from rankandfile.ballots.selectors import PaperQuestion, member_may_organise, paper_questions
from rankandfile.counting.recount import Answer, QuestionPapers, QuestionSpec, bundle_write
from rankandfile.groups.models import Group, Membership
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import messages_fan_out

RECEIPT_HASH = re.compile(r"^[0-9a-f]{64}$")
YES_NO = ("yes", "no", "abstain")

logger = logging.getLogger(__name__)


class BallotError(Exception):
    """An action the ballot's rules do not allow; the message is meant for the member."""


class NotOnRollError(BallotError):
    pass


class AlreadyVotedError(BallotError):
    pass


class BallotNotOpenError(BallotError):
    pass


class ReceiptError(BallotError):
    pass


class RollFrozenError(BallotError):
    pass


class BallotContentError(BallotError):
    """A title, question or candidate name that the count or the published bundle cannot carry."""


class InvalidAnswersError(BallotError):
    """Answers that cannot be put in the box; ``errors`` maps question position to a message."""

    def __init__(self, errors: dict[int, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"question {q}: {m}" for q, m in sorted(errors.items())))


@dataclass(frozen=True)
class QuestionInput:
    text: str
    method: str
    choices: Sequence[str] = ()
    seats: int = 1
    quorum: int = 0
    threshold: str = Threshold.SIMPLE


# Characters that no title, question or name may hold: control characters (C0, DEL and C1, line
# breaks and tabs included), line and paragraph separators, lone surrogates (which UTF-8 cannot
# encode, so no bundle could be written) and the bidirectional overrides that can make one name
# look like another. Printed by `rankandfile recount`, control characters could also drive the
# reader's terminal.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refused(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES or char in _BIDI_OVERRIDES


def ballot_text_printable(text: str, *, max_length: int) -> str:
    """``text`` with every character a ballot refuses replaced by a space, cut to ``max_length``.

    For ballots that a service opens from text it did not check itself (a campaign's verdict
    takes the campaign's title), so that no such text can stop the ballot from opening.
    """
    cleaned = " ".join("".join(" " if _refused(c) else c for c in text).split())
    return cleaned[:max_length]


def _check_text(*, where: str, what: str, text: str, max_length: int, in_blt: bool) -> None:
    """Refuse text that the counter or the bundle cannot carry as it is, before voting opens.

    Ranked questions are published as BLT files, where the question is the title and each
    candidate a name, both between double quotes. The format (Hill, Wichmann and Woodall,
    "Algorithm 123", The Computer Journal 30(3), 1987, and the readers that follow it, such as
    OpenSTV's and Droop's) has no escape for a quote inside a quoted string and ends every item
    at the line's end, so a ``"`` or a line break there cannot be written faithfully: it is
    refused, and typographic quotes suggested. The CSV files of the other questions quote and
    escape everything (see counting.recount), so a ``"`` is fine there.
    """
    if len(text) > max_length:
        raise BallotContentError(f"{where}: the {what} is longer than {max_length} characters.")
    for char in text:
        if _refused(char):
            raise BallotContentError(
                f"{where}: the {what} contains a control character or line break "
                f"(U+{ord(char):04X}); remove it."
            )
    if in_blt and '"' in text:
        raise BallotContentError(
            f'{where}: the {what} cannot contain a straight double quote ("): ranked questions '
            "are published in BLT files, which cannot carry one. Use “typographic quotes”."
        )


def _check_title(title: str) -> None:
    if not title.strip():
        raise BallotContentError("The ballot needs a title.")
    _check_text(
        where="The ballot",
        what="title",
        text=title.strip(),
        max_length=Ballot._meta.get_field("title").max_length or 0,
        in_blt=False,
    )


def _check_question(position: int, question: QuestionInput) -> None:
    where = f"Question {position}"
    if not question.text.strip():
        raise BallotError(f"{where} needs a text.")
    ranked = question.method in RANKED_METHODS
    _check_text(
        where=where,
        what="question",
        text=question.text.strip(),
        max_length=Question._meta.get_field("text").max_length or 0,
        in_blt=ranked,
    )
    if question.method not in Method.values:
        raise BallotError(f"{where}: unknown counting method {question.method!r}.")
    if question.threshold not in Threshold.values:
        raise BallotError(f"{where}: the threshold must be simple or two-thirds.")
    names = [c.strip() for c in question.choices]
    if question.method == Method.YESNO:
        if names:
            raise BallotError(f"{where}: a yes/no question has no candidates.")
        return
    if len(names) < 2:
        raise BallotError(f"{where} needs at least two candidates or options.")
    if len(set(names)) != len(names) or not all(names):
        raise BallotError(f"{where}: candidate names must be distinct and not empty.")
    for number, name in enumerate(names, 1):
        _check_text(
            where=where,
            what=f"name of candidate {number}",
            text=name,
            max_length=Choice._meta.get_field("name").max_length or 0,
            in_blt=ranked,
        )
    if not 1 <= question.seats < len(names) + (question.method == Method.APPROVAL):
        raise BallotError(f"{where}: seats must be at least 1 and fewer than the candidates.")
    if question.method == Method.IRV and question.seats != 1:
        raise BallotError(f"{where}: instant-runoff elects one candidate.")


# A ballot may hold many questions, but not an unbounded number: each is a section of the vote
# page and a file in the bundle.
MAX_QUESTIONS = 50

# A time typed as "now" (datetime inputs have a minute's precision) is already in the past when
# it is saved: an opening time this recent is kept, and the clock opens the ballot at once.
OPENING_GRACE = timedelta(minutes=5)


def ballot_times_problems(
    *, opens_at: datetime, closes_at: datetime, now: datetime | None = None
) -> dict[str, str]:
    """Why a member may not save these times, by field name (empty when they are fine).

    The clock would open at once a ballot whose opening time has passed, and one whose closing
    time has passed could never be opened at all.
    """
    now = now or timezone.now()
    problems: dict[str, str] = {}
    if opens_at < now - OPENING_GRACE:
        problems["opens_at"] = (
            "Voting cannot open in the past: choose a time from now on. To open it straight "
            "away, open voting from the ballot's page."
        )
    if closes_at <= now:
        problems["closes_at"] = "Voting cannot close in the past: choose a later time."
    elif closes_at <= opens_at:
        problems["closes_at"] = "Voting must close after it opens."
    return problems


def _check_ballot_fields(
    *,
    opens_at: datetime,
    closes_at: datetime,
    questions: Sequence[QuestionInput],
    electorate: str,
    title: str,
    made_by_member: bool,
    now: datetime | None,
) -> None:
    if made_by_member:
        problems = ballot_times_problems(opens_at=opens_at, closes_at=closes_at, now=now)
        if problems:
            raise BallotError(" ".join(problems.values()))
    if closes_at <= opens_at:
        raise BallotError("The ballot must close after it opens.")
    if not questions:
        raise BallotError("A ballot needs at least one question.")
    if len(questions) > MAX_QUESTIONS:
        raise BallotError(f"A ballot can hold at most {MAX_QUESTIONS} questions.")
    if electorate not in Electorate.values:
        raise BallotError("Unknown electorate.")
    _check_title(title)
    for position, given in enumerate(questions, 1):
        _check_question(position, given)


def _questions_write(ballot: Ballot, questions: Sequence[QuestionInput]) -> None:
    for position, spec in enumerate(questions, 1):
        question = Question.objects.create(
            ballot=ballot,
            position=position,
            text=spec.text.strip(),
            method=spec.method,
            seats=1 if spec.method == Method.YESNO else spec.seats,
            quorum=spec.quorum,
            threshold=spec.threshold,
        )
        Choice.objects.bulk_create(
            Choice(question=question, position=n, name=name.strip())
            for n, name in enumerate(spec.choices, 1)
        )


@transaction.atomic
def ballot_create(
    *,
    creator: User | None,
    group: Group | None,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    questions: Sequence[QuestionInput],
    description: str = "",
    electorate: str = Electorate.MEMBERS,
    closes_early_allowed: bool = True,
    roll_kept_after_close: bool = True,
    now: datetime | None = None,
) -> Ballot:
    """A draft ballot with its questions, every text checked.

    ``creator`` is None only for a ballot the platform itself calls (a campaign's verdict at a
    stage's deadline, ``campaigns.verdicts``); a member's ballot needs an organiser of its
    group (or staff, for a network ballot) and times that are not in the past.
    ``closes_early_allowed`` and ``roll_kept_after_close`` are the ballot's rules of the same
    names (see the model).
    """
    if creator is not None and not member_may_organise(member=creator, ballot_group=group):
        raise BallotError("Only the group's organisers can create its ballots.")
    _check_ballot_fields(
        opens_at=opens_at,
        closes_at=closes_at,
        questions=questions,
        electorate=electorate,
        title=title,
        made_by_member=creator is not None,
        now=now,
    )
    ballot = Ballot.objects.create(
        group=group,
        title=title.strip(),
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        electorate=electorate,
        created_by=creator,
        closes_early_allowed=closes_early_allowed,
        roll_kept_after_close=roll_kept_after_close,
    )
    _questions_write(ballot, questions)
    return ballot


def _draft_locked_for(*, ballot: Ballot, actor: User) -> Ballot:
    locked = (
        Ballot.objects.select_for_update(of=("self",)).select_related("group").get(pk=ballot.pk)
    )
    if not member_may_organise(member=actor, ballot_group=locked.group):
        raise BallotError("Only the group's organisers can change its ballots.")
    if locked.state != BallotState.DRAFT:
        raise BallotError("Voting has opened: the ballot can no longer be changed or deleted.")
    return locked


@transaction.atomic
def ballot_update(
    *,
    ballot: Ballot,
    actor: User,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    questions: Sequence[QuestionInput],
    description: str = "",
    electorate: str = Electorate.MEMBERS,
    now: datetime | None = None,
) -> Ballot:
    """Change a draft ballot: its details, and its questions written again from ``questions``
    (a draft has no roll, papers or results that could point at the old ones)."""
    locked = _draft_locked_for(ballot=ballot, actor=actor)
    _check_ballot_fields(
        opens_at=opens_at,
        closes_at=closes_at,
        questions=questions,
        electorate=electorate,
        title=title,
        made_by_member=True,
        now=now,
    )
    locked.title = title.strip()
    locked.description = description.strip()
    locked.opens_at = opens_at
    locked.closes_at = closes_at
    locked.electorate = electorate
    locked.save(update_fields=["title", "description", "opens_at", "closes_at", "electorate"])
    locked.questions.all().delete()
    _questions_write(locked, questions)
    return locked


@transaction.atomic
def ballot_delete(*, ballot: Ballot, actor: User) -> None:
    """Delete a draft ballot and its questions; once voting has opened a ballot stays."""
    locked = _draft_locked_for(ballot=ballot, actor=actor)
    audit_record(
        actor=actor,
        action="ballot.draft_deleted",
        target_type="ballot",
        target_id=locked.pk,
        details={"group_id": locked.group_id},
    )
    locked.delete()


def electorate_members(ballot: Ballot) -> QuerySet[User]:
    """Who goes on the roll when the ballot opens."""
    members = members_consenting_to(ConsentPurpose.MEMBERSHIP)
    if ballot.group_id is not None:
        members = members.filter(memberships__group_id=ballot.group_id)
    if ballot.electorate == Electorate.MEMBERS_WITH_MFA:
        with_mfa = Authenticator.objects.filter(
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).values("user_id")
        members = members.filter(pk__in=with_mfa)
    return members.distinct()


def electorate_of_groups(*, group_ids: Sequence[int]) -> QuerySet[User]:
    """Every member of any of the groups, once each (as :func:`electorate_members` counts a
    member): the roll of a ballot that several groups hold together, given to
    :func:`ballot_open` as ``member_ids``."""
    members = members_consenting_to(ConsentPurpose.MEMBERSHIP)
    return members.filter(memberships__group_id__in=list(group_ids)).distinct()


def _check_stored_content(ballot: Ballot) -> None:
    """The checks of :func:`ballot_create` again, for a ballot whose rows were made another way
    (by hand in a shell, or by an older version): nothing opens that the count could not carry."""
    _check_title(ballot.title)
    for question in ballot.questions.prefetch_related("choices"):
        _check_question(
            question.position,
            QuestionInput(
                text=question.text,
                method=question.method,
                choices=[c.name for c in question.choices.all()],
                seats=question.seats,
                quorum=question.quorum,
                threshold=question.threshold,
            ),
        )


@transaction.atomic
def ballot_open(
    *, ballot: Ballot, now: datetime | None = None, member_ids: Sequence[int] | None = None
) -> Ballot:
    """Open voting: the roll is made from the electorate, in this one transaction, and frozen.

    Opening before the advertised time (an organiser's "open now") moves the opening time to now.
    ``member_ids`` gives the roll instead of the electorate: a campaign stage's pledgers.
    """
    now = now or timezone.now()
    locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if locked.state != BallotState.DRAFT:
        raise BallotError("This ballot has already been opened.")
    if now >= locked.closes_at:
        raise BallotError("This ballot's closing time has passed; it cannot be opened.")
    _check_stored_content(locked)
    locked.opens_at = min(locked.opens_at, now)
    if member_ids is None:
        member_ids = list(electorate_members(locked).values_list("pk", flat=True))
    RollEntry.objects.bulk_create(
        (RollEntry(ballot=locked, member_id=member_id) for member_id in member_ids),
        batch_size=2000,
    )
    locked.roll_size = len(member_ids)
    locked.state = BallotState.OPEN
    locked.save(update_fields=["roll_size", "state", "opens_at"])
    # A service message to everyone on the roll, queued in this transaction (the outbox sends it
    # after commit). It says that voting is open, never who has voted.
    _notify_roll(ballot=locked, event="opened", template="ballot_opened")
    return locked


def roll_entry_change(*, ballot: Ballot, actor: User | None, member_id: int, change: str) -> None:
    """The one door for requests to add someone to, or take someone off, a ballot's roll.

    The roll exists only from the moment voting opens, made from the electorate, and is frozen
    from then on: every request is refused and written to the audit log. The request the
    product sees is a vote from a member who joined the group after voting opened
    (:func:`ballot_cast`). Deliberately not run inside a transaction of its own, so that the
    audit entry stays when the caller's work is rolled back by the exception.
    """
    audit_record(
        actor=actor,
        action="ballot.roll_change_refused",
        target_type="ballot",
        target_id=ballot.pk,
        details={"change": change, "member_id": member_id, "state": ballot.state},
    )
    if ballot.state == BallotState.DRAFT:
        raise RollFrozenError(
            "The roll is made from the electorate when voting opens; change the group's "
            "membership before then instead."
        )
    raise RollFrozenError("The roll was frozen when voting opened and cannot be changed.")


def answers_validate(
    questions: Sequence[PaperQuestion], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Check a voter's answers against the questions; returns the paper's contents.

    ``answers`` maps each question's position (as a string) to a list of choice positions (in
    order of preference for ranked questions; the approved ones for approval) or to "yes", "no"
    or "abstain". An empty list is a blank vote on that question.
    """
    errors: dict[int, str] = {}
    contents: dict[str, Any] = {}
    known = {str(q.position) for q in questions}
    for key in sorted(set(answers) - known):
        errors[0] = f"there is no question {key!r} on this ballot"
    for question in questions:
        key = str(question.position)
        value = answers.get(key)
        if question.method == Method.YESNO:
            if value not in YES_NO:
                errors[question.position] = "choose yes, no or abstain"
            else:
                contents[key] = value
            continue
        n = question.choice_count
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            errors[question.position] = "expected a list of candidate numbers"
        elif any(not 1 <= v <= n for v in value):
            errors[question.position] = f"candidate numbers must be 1 to {n}"
        elif len(set(value)) != len(value):
            errors[question.position] = "each candidate can be chosen only once"
        else:
            contents[key] = value if question.method in RANKED_METHODS else sorted(value)
    if errors:
        raise InvalidAnswersError(errors)
    return contents


def _ballot_for_cast(ballot_id: int) -> tuple[str, datetime, datetime]:
    """The ballot's state and times, holding a share lock on PostgreSQL (see the module doc)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT state, opens_at, closes_at FROM ballots_ballot WHERE id = %s FOR SHARE",
                [ballot_id],
            )
            row = cursor.fetchone()
        if row is None:
            raise BallotNotOpenError("This ballot does not exist.")
        return cast(tuple[str, datetime, datetime], tuple(row))
    values = Ballot.objects.filter(pk=ballot_id).values_list("state", "opens_at", "closes_at")
    return values.get()


def ballot_cast(
    *,
    ballot: Ballot,
    member: User,
    receipt_hash: str,
    answers: Mapping[str, Any],
    now: datetime | None = None,
) -> BallotPaper:
    """Mark the member's roll entry and put their paper in the box, both or neither.

    ``receipt_hash`` is the SHA-256 (hex) of the receipt code that the voter's browser made and
    showed to the voter; the code itself never reaches the server.
    """
    if not isinstance(receipt_hash, str) or not RECEIPT_HASH.match(receipt_hash):
        raise ReceiptError(
            "The ballot arrived without a valid receipt. Reload the page and vote again."
        )
    contents = answers_validate(paper_questions(ballot), answers)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            state, opens_at, closes_at = _ballot_for_cast(ballot.pk)
            if state != BallotState.OPEN or not opens_at <= now < closes_at:
                raise BallotNotOpenError("This ballot is not open for voting.")
            marked = RollEntry.objects.filter(ballot_id=ballot.pk, member=member, has_voted=False)
            if not marked.update(has_voted=True):
                if RollEntry.objects.filter(ballot_id=ballot.pk, member=member).exists():
                    raise AlreadyVotedError("A ballot has already been cast in your name.")
                raise NotOnRollError("You are not on the roll for this ballot.")
            return BallotPaper.objects.create(
                receipt_hash=receipt_hash, ballot_id=ballot.pk, contents=contents
            )
    except NotOnRollError:
        # Someone who joined the group after voting opened asks, by voting, to be put on the
        # frozen roll: refused and audited, after the vote's own transaction has rolled back.
        if (
            ballot.group_id is not None
            and Membership.objects.filter(
                group_id=ballot.group_id, member=member, joined_at__gt=ballot.opens_at
            ).exists()
        ):
            roll_entry_change(ballot=ballot, actor=member, member_id=member.pk, change="add")
        raise
    except IntegrityError:
        # The receipt hash is the box's primary key: the whole vote, roll mark included, is
        # rolled back and the voter asked for a fresh code.
        raise ReceiptError(
            "That receipt code is already in use. Reload the page to get a new one."
        ) from None


@transaction.atomic
def ballot_close(*, ballot: Ballot, actor: User | None, now: datetime | None = None) -> Ballot:
    """Close voting and count, in one transaction.

    Before the closing time only an organiser may close early, and only a ballot whose rules
    allow it (a campaign's verdict does not: an organiser who voted could otherwise stop the
    vote while it suits them). The papers are written again in receipt-hash order and the roll
    rewritten (or, for a ballot that does not keep it, deleted once the results message is
    queued), so that no row order or transaction id links a paper to a roll entry (see the
    models' docstring).
    """
    now = now or timezone.now()
    locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if locked.state != BallotState.OPEN:
        raise BallotError("Only an open ballot can be closed.")
    if now < locked.closes_at:
        if not locked.closes_early_allowed:
            raise BallotError(
                "This ballot cannot be closed early: voting stays open until its closing time."
            )
        if not (actor is not None and member_may_organise(member=actor, ballot_group=locked.group)):
            raise BallotError("This ballot is still open; only an organiser can close it early.")
    locked.state = BallotState.CLOSED
    locked.closed_at = now
    locked.close_failed_at = None
    locked.voted_count = RollEntry.objects.filter(ballot=locked, has_voted=True).count()
    locked.save(update_fields=["state", "closed_at", "close_failed_at", "voted_count"])
    papers = BallotPaper.objects.filter(ballot=locked)
    in_hash_order = list(papers.order_by("receipt_hash"))
    papers.delete()
    BallotPaper.objects.bulk_create(in_hash_order, batch_size=2000)
    counted = ballot_count(ballot=locked)  # queues the results message to the roll
    roll = RollEntry.objects.filter(ballot=locked)
    if locked.roll_kept_after_close:
        roll.update(has_voted=F("has_voted"))  # a new version of every row, in this transaction
    else:
        roll.delete()  # roll_size and voted_count stay on the ballot
    return counted


def question_spec(question: Question) -> QuestionSpec:
    return QuestionSpec(
        position=question.position,
        text=question.text,
        method=question.method,
        seats=question.seats,
        quorum=question.quorum,
        threshold="two-thirds" if question.threshold == Threshold.TWO_THIRDS else "simple",
        choices=tuple(c.name for c in question.choices.all()),
    )


@transaction.atomic
def ballot_count(*, ballot: Ballot) -> Ballot:
    """Count a closed ballot with the counting engine, store the results and the bundle."""
    locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if locked.state != BallotState.CLOSED:
        raise BallotError("Results are counted only once, after the ballot closes.")
    questions = list(locked.questions.prefetch_related("choices"))
    papers = list(
        BallotPaper.objects.filter(ballot=locked)
        .order_by("receipt_hash")
        .values_list("receipt_hash", "contents")
    )
    receipts = [receipt for receipt, _ in papers]
    per_question = [
        QuestionPapers(
            spec=question_spec(q),
            answers=[cast(Answer, contents[str(q.position)]) for _, contents in papers],
        )
        for q in questions
    ]
    data, results = bundle_write(
        ballot={
            "id": locked.pk,
            "title": locked.title,
            "group": locked.group.name if locked.group else "the whole network",
            "opens_at": locked.opens_at.isoformat(),
            "closes_at": locked.closes_at.isoformat(),
        },
        seed=locked.tie_break_seed,
        roll_size=locked.roll_size or 0,
        receipts=receipts,
        questions=per_question,
    )
    for question, result in zip(questions, results, strict=True):
        # Numbers with a fractional part are kept as exact strings ("805.00000").
        question.result = json.loads(result.to_json(), parse_float=str)
        question.save(update_fields=["result"])
    BallotBundle.objects.create(ballot=locked, data=data, sha256=hashlib.sha256(data).hexdigest())
    locked.state = BallotState.PUBLISHED
    locked.save(update_fields=["state"])
    _notify_roll(ballot=locked, event="results", template="ballot_results")
    return locked


def ballots_open_due(*, now: datetime | None = None) -> int:
    """Open every draft ballot whose opening time has come (run by a task)."""
    now = now or timezone.now()
    opened = 0
    for ballot in Ballot.objects.filter(state=BallotState.DRAFT, opens_at__lte=now):
        try:
            ballot_open(ballot=ballot)
        except BallotContentError:
            logger.warning("Draft ballot %s cannot open: its content is refused.", ballot.pk)
            continue
        except BallotError:
            continue  # opened concurrently by another worker
        opened += 1
    return opened


REMINDER_BEFORE_CLOSE = timedelta(hours=24)


def _notify_roll(
    *, ballot: Ballot, event: str, template: str, voters: QuerySet[RollEntry] | None = None
) -> int:
    """A service message to members on the roll (to all of it unless ``voters`` narrows it);
    it never says who has voted."""
    if voters is None:
        voters = RollEntry.objects.filter(ballot=ballot)
    return messages_fan_out(
        key_prefix=f"ballot:{ballot.pk}:{event}",
        kind=MessageClass.SERVICE,
        template=template,
        recipients=User.objects.filter(pk__in=voters.values("member_id")),
        context={
            "ballot_title": ballot.title,
            "closes_at": formats.date_format(timezone.localtime(ballot.closes_at), "j F Y, H:i"),
            "ballot_url": absolute_url(ballot.get_absolute_url()),
            "results_url": absolute_url(
                reverse("ballots:results", kwargs={"ballot_id": ballot.pk})
            ),
        },
        group=ballot.group,
    )


@transaction.atomic
def ballot_remind(*, ballot: Ballot, now: datetime | None = None) -> int:
    """Once, a day before the close: remind those on the roll who have not voted yet."""
    now = now or timezone.now()
    locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if locked.state != BallotState.OPEN or locked.reminder_sent_at is not None:
        return 0
    locked.reminder_sent_at = now
    locked.save(update_fields=["reminder_sent_at"])
    return _notify_roll(
        ballot=locked,
        event="reminder",
        template="ballot_reminder",
        voters=RollEntry.objects.filter(ballot=locked, has_voted=False),
    )


def ballots_remind_due(*, now: datetime | None = None) -> int:
    """Send the reminder for every open ballot that closes within a day (run by a task)."""
    now = now or timezone.now()
    due = Ballot.objects.filter(
        state=BallotState.OPEN,
        reminder_sent_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + REMINDER_BEFORE_CLOSE,
    )
    return sum(ballot_remind(ballot=ballot, now=now) for ballot in due)


def ballots_close_due(*, now: datetime | None = None) -> int:
    """Close and count every open ballot whose closing time has passed (run by a task).

    Each ballot is closed in its own transaction, and any error in one (a count that raises) is
    recorded and the others still closed: one broken ballot must not hold up another's result.
    The broken one is tried again at every run (the error may pass), but audited once.
    """
    now = now or timezone.now()
    closed = 0
    for ballot in Ballot.objects.filter(state=BallotState.OPEN, closes_at__lte=now):
        try:
            ballot_close(ballot=ballot, actor=None, now=now)
        except BallotError:
            continue  # closed concurrently by another worker
        except Exception as error:  # recorded, and the clock goes on
            _close_failure_record(ballot=ballot, error=error, now=now)
            continue
        closed += 1
    return closed


def _close_failure_record(*, ballot: Ballot, error: Exception, now: datetime) -> None:
    """Log, mark the ballot for the admin and audit a failed close; the error's class only,
    since its message could quote what is in the box."""
    kind = type(error).__name__
    logger.error("Ballot %s could not be closed and counted: %s", ballot.pk, kind)
    with transaction.atomic():
        first = Ballot.objects.filter(pk=ballot.pk, close_failed_at__isnull=True).update(
            close_failed_at=now
        )
        if first:
            audit_record(
                actor=None,
                action="ballot.close_failed",
                target_type="ballot",
                target_id=ballot.pk,
                details={"error": kind},
            )
