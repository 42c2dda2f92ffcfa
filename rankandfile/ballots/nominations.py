"""Nominations for elected posts: from a nominations period to the STV ballot.

The flow:

1. :func:`nomination_period_create`: an organiser of the group sets the post, its seats, the STV
   rules, how many seconders a nomination needs and when nominations close.
2. :func:`nomination_create`: a member of the group nominates another member. Nobody nominates
   themselves (a check constraint): a member who wants to stand asks someone to nominate them.
   One nomination per nominee per period (a unique constraint). The nominee is told.
3. :func:`nomination_second`: other members second it, once each (a unique constraint); neither
   the nominee nor the member who nominated them may second it. The nominee is told.
4. :func:`nomination_accept`: the nominee accepts, with a statement of at most 500 words
   (Markdown, rendered with lib.markdown); they may change it until nominations close.
5. :func:`nomination_withdraw`: the nominee withdraws (or declines), until nominations close;
   a withdrawal is final for the period.
6. :func:`nominations_close`: at the closing time (the clock, :func:`nominations_close_due`) or
   earlier by an organiser. The candidates are the accepted, not withdrawn nominees with at
   least ``seconders_needed`` seconders; their names, sorted by :func:`candidate_sort_key`, are
   shuffled by Python's ``random.Random(shuffle_seed).shuffle`` (the Mersenne Twister, the
   same in every Python 3), and the ballot is made through ``ballots.services`` and opened at
   once, the seed written in its description. A nominee who has left the group meanwhile is not
   a candidate. With no more candidates than seats no ballot is made, and the period says why.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.ballots.models import (
    STV_METHODS,
    Ballot,
    Method,
    Nomination,
    NominationPeriod,
    Seconding,
)
from rankandfile.ballots.selectors import member_may_organise
from rankandfile.ballots.services import (
    BallotError,
    QuestionInput,
    ballot_create,
    ballot_open,
    ballot_text_printable,
)
from rankandfile.groups.models import Group, Membership
from rankandfile.lib.markdown import MarkdownTooLongError, markdown_source_clean
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import message_enqueue

logger = logging.getLogger(__name__)

STATEMENT_WORDS = 500
# 500 words of Markdown rarely pass 5,000 characters; the cap keeps a megabyte out.
STATEMENT_LONGEST = 6_000
CANDIDATE_NAME_LONGEST = 120


class NominationError(Exception):
    """An action the nomination rules do not allow; the message is meant for the member."""


# Reads ---------------------------------------------------------------------------------------


def is_group_member(*, member: User | object, group_id: int) -> bool:
    return (
        isinstance(member, User)
        and member.is_active
        and Membership.objects.filter(group_id=group_id, member=member).exists()
    )


def period_nominations(period: NominationPeriod) -> QuerySet[Nomination]:
    """The period's nominations with their nominees and seconder counts, oldest first."""
    return (
        Nomination.objects.filter(period=period)
        .select_related("nominee", "nominated_by")
        .annotate(seconder_count=Count("secondings"))
        .order_by("pk")
    )


def candidate_sort_key(name: str) -> tuple[str, str]:
    """The order the names are in before the shuffle: case-blind, then exact."""
    return (name.casefold(), name)


def candidate_order(names: Sequence[str], seed: int) -> list[str]:
    """The ballot order: the names sorted by :func:`candidate_sort_key`, then shuffled by
    ``random.Random(seed)``. Anyone can repeat it from the published names and seed."""
    ordered = sorted(names, key=candidate_sort_key)
    random.Random(seed).shuffle(ordered)
    return ordered


def statement_words(text: str) -> int:
    return len(text.split())


# Writes --------------------------------------------------------------------------------------


def _period_locked(period: NominationPeriod) -> NominationPeriod:
    return (
        NominationPeriod.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=period.pk)
    )


def _require_open(period: NominationPeriod, now: datetime) -> None:
    if period.closed_at is not None or now >= period.closes_at:
        raise NominationError("Nominations have closed.")


def _require_member(period: NominationPeriod, member: User) -> None:
    if not is_group_member(member=member, group_id=period.group_id):
        raise NominationError("Only members of the group can take part in its nominations.")


@transaction.atomic
def nomination_period_create(
    *,
    organiser: User,
    group: Group,
    post: str,
    closes_at: datetime,
    seats: int = 1,
    seconders_needed: int = 2,
    method: str = Method.SCOTTISH_STV,
    voting_days: int = 7,
    now: datetime | None = None,
) -> NominationPeriod:
    now = now or timezone.now()
    if not member_may_organise(member=organiser, ballot_group=group):
        raise NominationError("Only the group's organisers can open nominations.")
    post = ballot_text_printable(post, max_length=200).replace('"', "”")
    if not post:
        raise NominationError("Name the post the members are nominating for.")
    if closes_at <= now:
        raise NominationError("Nominations cannot close in the past: choose a later time.")
    if method not in STV_METHODS:
        raise NominationError("Choose one of the single transferable vote methods.")
    if not 1 <= seats <= 50:
        raise NominationError("A post has 1 to 50 seats.")
    if not 0 <= seconders_needed <= 100:
        raise NominationError("A nomination needs 0 to 100 seconders.")
    if not 1 <= voting_days <= 90:
        raise NominationError("Voting lasts 1 to 90 days.")
    period = NominationPeriod.objects.create(
        group=group,
        post=post,
        seats=seats,
        method=method,
        seconders_needed=seconders_needed,
        closes_at=closes_at,
        voting_days=voting_days,
        created_by=organiser,
    )
    audit_record(
        actor=organiser,
        action="nominations.period_created",
        target_type="nomination_period",
        target_id=period.pk,
        details={"group_id": group.pk, "seats": seats},
    )
    return period


def _tell_nominee(*, nomination: Nomination, period: NominationPeriod, key: str, template: str,
                  context: dict[str, object]) -> None:  # fmt: skip
    """A service message to the nominee, in this transaction (the outbox sends it after
    commit); the key makes it once per event."""
    message_enqueue(
        key=key,
        kind=MessageClass.SERVICE,
        recipient=nomination.nominee,
        template=template,
        context={
            "post": period.post,
            "group_name": period.group.name,
            "closes_at": timezone.localtime(period.closes_at).strftime("%d %B %Y, %H:%M"),
            "nominations_url": absolute_url(period.get_absolute_url()),
            **context,
        },
        group=period.group,
    )


@transaction.atomic
def nomination_create(
    *, period: NominationPeriod, nominator: User, nominee: User, now: datetime | None = None
) -> Nomination:
    now = now or timezone.now()
    locked = _period_locked(period)
    _require_open(locked, now)
    _require_member(locked, nominator)
    if nominee.pk == nominator.pk:
        raise NominationError("You cannot nominate yourself: ask another member to nominate you.")
    if not is_group_member(member=nominee, group_id=locked.group_id):
        raise NominationError("Only a member of the group can be nominated.")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                period=locked, nominee=nominee, nominated_by=nominator
            )
    except IntegrityError:
        raise NominationError(f"{nominee} has already been nominated.") from None
    _tell_nominee(
        nomination=nomination,
        period=locked,
        key=f"nomination:{nomination.pk}:received",
        template="nomination_received",
        context={"nominator_name": str(nominator)},
    )
    return nomination


def _nomination_locked(nomination: Nomination) -> tuple[Nomination, NominationPeriod]:
    period = _period_locked(nomination.period)
    return Nomination.objects.select_related("nominee").get(pk=nomination.pk), period


@transaction.atomic
def nomination_second(
    *, nomination: Nomination, seconder: User, now: datetime | None = None
) -> int:
    """Second the nomination; returns how many seconders it now has."""
    now = now or timezone.now()
    locked, period = _nomination_locked(nomination)
    _require_open(period, now)
    _require_member(period, seconder)
    if locked.withdrawn_at is not None:
        raise NominationError("This candidate has withdrawn.")
    if seconder.pk == locked.nominee_id:
        raise NominationError("You cannot second your own nomination.")
    if seconder.pk == locked.nominated_by_id:
        raise NominationError("You nominated this member: seconders are other members.")
    try:
        with transaction.atomic():
            Seconding.objects.create(nomination=locked, seconder=seconder)
    except IntegrityError:
        raise NominationError("You have already seconded this nomination.") from None
    count = Seconding.objects.filter(nomination=locked).count()
    _tell_nominee(
        nomination=locked,
        period=period,
        key=f"nomination:{locked.pk}:seconded:{seconder.pk}",
        template="nomination_seconded",
        context={
            "seconder_name": str(seconder),
            "seconders": count,
            "seconders_needed": period.seconders_needed,
        },
    )
    return count


def statement_clean(text: str) -> str:
    """The statement as it will be stored; refuses one over 500 words, saying by how much."""
    try:
        cleaned = markdown_source_clean(text, longest=STATEMENT_LONGEST, what="The statement")
    except MarkdownTooLongError as error:
        raise NominationError(str(error)) from None
    words = statement_words(cleaned)
    if words > STATEMENT_WORDS:
        raise NominationError(
            f"The statement can be at most {STATEMENT_WORDS} words; this one has {words}. "
            f"Shorten it by {words - STATEMENT_WORDS}."
        )
    if not cleaned:
        raise NominationError("Write a statement for the members.")
    return cleaned


@transaction.atomic
def nomination_accept(
    *, nomination: Nomination, nominee: User, statement: str, now: datetime | None = None
) -> Nomination:
    """The nominee accepts with a statement, or changes it, until nominations close."""
    now = now or timezone.now()
    locked, period = _nomination_locked(nomination)
    if nominee.pk != locked.nominee_id:
        raise NominationError("Only the member nominated can accept the nomination.")
    _require_open(period, now)
    if locked.withdrawn_at is not None:
        raise NominationError("You have withdrawn from this election.")
    locked.statement = statement_clean(statement)
    locked.accepted_at = locked.accepted_at or now
    locked.save(update_fields=["statement", "accepted_at"])
    return locked


@transaction.atomic
def nomination_withdraw(
    *, nomination: Nomination, nominee: User, now: datetime | None = None
) -> Nomination:
    """The nominee withdraws (or declines), until nominations close; final for the period."""
    now = now or timezone.now()
    locked, period = _nomination_locked(nomination)
    if nominee.pk != locked.nominee_id:
        raise NominationError("Only the member nominated can withdraw.")
    _require_open(period, now)
    if locked.withdrawn_at is None:
        locked.withdrawn_at = now
        locked.save(update_fields=["withdrawn_at"])
    return locked


def candidates_eligible(period: NominationPeriod) -> list[Nomination]:
    """Accepted, not withdrawn, still members of the group, with enough seconders."""
    return list(
        Nomination.objects.filter(
            period=period,
            accepted_at__isnull=False,
            withdrawn_at__isnull=True,
            nominee__memberships__group_id=period.group_id,
        )
        .select_related("nominee")
        .annotate(seconder_count=Count("secondings"))
        .filter(seconder_count__gte=period.seconders_needed)
        .order_by("pk")
    )


def _ballot_name(nomination: Nomination, taken: set[str]) -> str:
    """The candidate's display name as a ballot can carry it (no straight quotes, no control
    characters), made distinct from the names already taken."""
    base = ballot_text_printable(str(nomination.nominee), max_length=CANDIDATE_NAME_LONGEST - 8)
    base = base.replace('"', "”") or f"Member {nomination.nominee_id}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name


def _ballot_description(period: NominationPeriod, names: Sequence[str]) -> str:
    listed = ", ".join(sorted(names, key=candidate_sort_key))
    return (
        f"The election for {period.post} ({period.seats} "
        f"{'seat' if period.seats == 1 else 'seats'}), after nominations. Each candidate's "
        "statement is on this page.\n\n"
        f"The candidates are listed in a random order. Seed: {period.shuffle_seed}. To check "
        "it, sort the names case-blind (Python: sorted(names, key=lambda n: (n.casefold(), "
        f"n))), then random.Random({period.shuffle_seed}).shuffle(names). "
        f"The names: {listed}."
    )


@transaction.atomic
def nominations_close(
    *, period: NominationPeriod, actor: User | None, now: datetime | None = None
) -> Ballot | None:
    """Close nominations and make the ballot (see the module docstring). ``actor`` is an
    organiser (early) or None for the clock at the closing time. Closed once: a second call
    returns the ballot already made."""
    now = now or timezone.now()
    locked = _period_locked(period)
    if locked.closed_at is not None:
        return locked.ballot
    if actor is not None and not member_may_organise(member=actor, ballot_group=locked.group):
        raise NominationError("Only the group's organisers can close nominations.")
    if actor is None and now < locked.closes_at:
        raise NominationError("Nominations are still open.")
    eligible = candidates_eligible(locked)
    taken: set[str] = set()
    by_name = {_ballot_name(n, taken): n for n in sorted(eligible, key=lambda n: n.pk)}
    order = candidate_order(list(by_name), locked.shuffle_seed)
    locked.closed_at = now
    if len(order) <= locked.seats:
        locked.outcome_note = (
            f"{len(order)} {'candidate' if len(order) == 1 else 'candidates'} for "
            f"{locked.seats} {'seat' if locked.seats == 1 else 'seats'}: no ballot was needed."
        )
        locked.save(update_fields=["closed_at", "outcome_note"])
        return None
    try:
        ballot = ballot_create(
            creator=None,
            group=locked.group,
            title=f"Election: {locked.post}"[:200],
            description=_ballot_description(locked, order),
            opens_at=now,
            closes_at=now + timedelta(days=locked.voting_days),
            questions=[
                QuestionInput(
                    text=locked.post, method=locked.method, choices=order, seats=locked.seats
                )
            ],
            now=now,
        )
        ballot = ballot_open(ballot=ballot, now=now)
    except BallotError as error:
        raise NominationError(str(error)) from None
    for position, name in enumerate(order, 1):
        by_name[name].ballot_position = position
    Nomination.objects.bulk_update(by_name.values(), ["ballot_position"])
    locked.ballot = ballot
    locked.save(update_fields=["closed_at", "ballot"])
    audit_record(
        actor=actor,
        action="nominations.closed",
        target_type="nomination_period",
        target_id=locked.pk,
        details={"ballot": ballot.pk, "candidates": len(order)},
    )
    return ballot


def nominations_close_due(*, now: datetime | None = None) -> int:
    """Close every nominations period whose closing time has passed (run by the clock). Each in
    its own transaction, its row locked and checked again: safe to run twice."""
    now = now or timezone.now()
    closed = 0
    due = NominationPeriod.objects.filter(closed_at__isnull=True, closes_at__lte=now)
    for period in due:
        try:
            nominations_close(period=period, actor=None, now=now)
        except NominationError as error:
            logger.warning("Nominations %s could not close: %s", period.pk, error)
            continue
        closed += 1
    return closed


def periods_for_member(member: User) -> QuerySet[NominationPeriod]:
    """Nominations of the member's groups: open ones, and those closed in the last 30 days."""
    recent = timezone.now() - timedelta(days=30)
    return (
        NominationPeriod.objects.filter(group__memberships__member=member)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=recent))
        .select_related("group")
        .order_by("closes_at", "pk")
    )
