"""Agreed slates: a group (or several together) agrees a recommended slate for an outside
election, such as the party's national executive, by an STV ballot of its members.

The flow, every write here:

1. :func:`slate_create`: an organiser of a group opens a slate, with its number of places and
   the closing time for applications, naming any other groups to hold it with; those groups'
   organisers each :func:`slate_agree` (the slate takes applications once every group agreed);
2. :func:`slate_apply` / :func:`slate_withdraw`: a member of any of the groups asks to be on
   the slate with a short statement (Markdown, at most ``STATEMENT_WORDS`` words), and may
   withdraw until voting starts (applying again brings the same application back);
3. :func:`slate_send_to_ballot` (the clock once applications close, or an organiser of the
   first group after that): a ballot of the first group made through ``ballots.services``,
   one STV question (Scottish rules) with the slate's places as seats and the applicants as
   candidates; its roll is the members of every group holding the slate, each once
   (``ballots.services.electorate_of_groups``); opened at once. With as many applicants as
   places or fewer, the seats are one fewer than the applicants, so that the count still
   ranks them all (the one left over takes the last place). With fewer than two applicants
   the slate lapses;
4. :func:`slate_result_record` once the ballot's results are published: the elected, in the
   order of their election, are the recommended slate. Written once: the slate's row is
   locked and its state checked again, so the clock may run twice.

:func:`slates_resolve_due` is the clock's job. The ballots app knows nothing of slates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.ballots.models import Ballot, BallotState, Method
from rankandfile.ballots.services import (
    BallotError,
    QuestionInput,
    ballot_create,
    ballot_open,
    ballot_text_printable,
    electorate_of_groups,
)
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.lib.markdown import MarkdownTooLongError, markdown_source_clean
from rankandfile.proposals.models import Slate, SlateApplication, SlateGroup, SlateState

logger = logging.getLogger(__name__)

STATEMENT_WORDS = 300
STATEMENT_LONGEST = 3_000
PLACES_MOST = 100
GROUPS_MOST = 20
BALLOT_DAYS_MOST = 60
NAME_LONGEST = 120


class SlateError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


def _locked(slate: Slate) -> Slate:
    return Slate.objects.select_for_update().select_related("group").get(pk=slate.pk)


def slate_group_ids(slate: Slate, *, agreed_only: bool = False) -> list[int]:
    rows = SlateGroup.objects.filter(slate=slate)
    if agreed_only:
        rows = rows.filter(agreed_at__isnull=False)
    return list(rows.values_list("group_id", flat=True))


def member_may_apply(*, member: User, slate: Slate) -> bool:
    """A member of a group that agreed to hold the slate."""
    return Membership.objects.filter(
        member=member, group_id__in=slate_group_ids(slate, agreed_only=True)
    ).exists()


# 1. Opening and agreeing ------------------------------------------------------------------


@transaction.atomic
def slate_create(
    *,
    organiser: User,
    group: Group,
    title: str,
    election: str,
    places: int,
    applications_close_at: datetime,
    other_groups: Sequence[Group] = (),
    ballot_days: int = 7,
    now: datetime | None = None,
) -> Slate:
    """Open a slate of ``group`` (and, once their organisers agree, of ``other_groups``)."""
    now = now or timezone.now()
    if not member_is_organiser(organiser, group):
        raise SlateError("Only the group's organisers can open a slate.")
    title = ballot_text_printable(title, max_length=150)
    election = ballot_text_printable(election, max_length=200)
    if not title or not election:
        raise SlateError("Give the slate a title and say which election it is for.")
    if not 1 <= places <= PLACES_MOST:
        raise SlateError(f"A slate has 1 to {PLACES_MOST} places.")
    if not 1 <= ballot_days <= BALLOT_DAYS_MOST:
        raise SlateError(f"Voting stays open 1 to {BALLOT_DAYS_MOST} days.")
    if applications_close_at <= now:
        raise SlateError("Applications must close in the future.")
    others = {g.pk: g for g in other_groups if g.pk != group.pk}
    if len(others) >= GROUPS_MOST:
        raise SlateError(f"A slate is held by at most {GROUPS_MOST} groups.")
    slate = Slate.objects.create(
        group=group,
        title=title,
        election=election,
        places=places,
        applications_close_at=applications_close_at,
        ballot_days=ballot_days,
        state=SlateState.AGREEING if others else SlateState.APPLICATIONS,
        created_by=organiser,
    )
    SlateGroup.objects.create(slate=slate, group=group, agreed_at=now, agreed_by=organiser)
    SlateGroup.objects.bulk_create(SlateGroup(slate=slate, group=g) for g in others.values())
    audit_record(
        actor=organiser,
        action="slates.create",
        target_type="slate",
        target_id=slate.pk,
        details={"group": group.pk, "other_groups": len(others)},
    )
    return slate


@transaction.atomic
def slate_agree(
    *, organiser: User, slate: Slate, group: Group, now: datetime | None = None
) -> Slate:
    """An organiser of ``group`` agrees that it holds the slate with the others."""
    now = now or timezone.now()
    locked = _locked(slate)
    if not member_is_organiser(organiser, group):
        raise SlateError("Only the group's organisers can agree to hold the slate.")
    if locked.state != SlateState.AGREEING:
        raise SlateError("Every group has already agreed to this slate.")
    updated = SlateGroup.objects.filter(slate=locked, group=group, agreed_at__isnull=True).update(
        agreed_at=now, agreed_by=organiser
    )
    if not updated:
        raise SlateError("This group is not asked to hold this slate, or has already agreed.")
    if not SlateGroup.objects.filter(slate=locked, agreed_at__isnull=True).exists():
        locked.state = SlateState.APPLICATIONS
        locked.save(update_fields=["state"])
    audit_record(
        actor=organiser,
        action="slates.agree",
        target_type="slate",
        target_id=locked.pk,
        details={"group": group.pk},
    )
    return locked


# 2. Applying and withdrawing --------------------------------------------------------------


def statement_clean(statement: str) -> str:
    """The statement as stored: Markdown source (rendered and sanitised when shown), at most
    ``STATEMENT_WORDS`` words."""
    try:
        cleaned = markdown_source_clean(statement, longest=STATEMENT_LONGEST, what="The statement")
    except MarkdownTooLongError as error:
        raise SlateError(str(error)) from None
    words = len(cleaned.split())
    if not words:
        raise SlateError("Write a short statement: why members should put you on the slate.")
    if words > STATEMENT_WORDS:
        raise SlateError(
            f"The statement can be at most {STATEMENT_WORDS} words; this one has {words}."
        )
    return cleaned


def _applications_open(slate: Slate, now: datetime) -> None:
    if slate.state != SlateState.APPLICATIONS or now >= slate.applications_close_at:
        raise SlateError("This slate is not taking applications.")


@transaction.atomic
def slate_apply(
    *, slate: Slate, member: User, statement: str, now: datetime | None = None
) -> SlateApplication:
    """Ask to be on the slate, or change one's statement (or apply again after withdrawing)."""
    now = now or timezone.now()
    cleaned = statement_clean(statement)
    locked = _locked(slate)
    _applications_open(locked, now)
    if not member_may_apply(member=member, slate=locked):
        raise SlateError("Only members of the groups holding the slate can apply.")
    name = ballot_text_printable(str(member), max_length=NAME_LONGEST).replace('"', "”")
    try:
        with transaction.atomic():
            application, _ = SlateApplication.objects.update_or_create(
                slate=locked,
                member=member,
                defaults={"statement": cleaned, "withdrawn": False, "name": name},
            )
    except IntegrityError:
        raise SlateError("Your application was already made; reload the page.") from None
    return application


@transaction.atomic
def slate_withdraw(*, slate: Slate, member: User, now: datetime | None = None) -> None:
    """Withdraw one's application, until voting starts."""
    locked = _locked(slate)
    if locked.state not in {SlateState.AGREEING, SlateState.APPLICATIONS}:
        raise SlateError("Voting has started: applications can no longer be withdrawn.")
    withdrawn = SlateApplication.objects.filter(
        slate=locked, member=member, withdrawn=False
    ).update(withdrawn=True)
    if not withdrawn:
        raise SlateError("You have not applied to be on this slate.")


# 3. The ballot -----------------------------------------------------------------------------


def _distinct_names(applications: Sequence[SlateApplication]) -> list[str]:
    """Candidate names, unique on the ballot: two applicants of the same name are numbered."""
    names: list[str] = []
    for application in applications:
        name = application.name or "A member"
        candidate, n = name, 1
        while candidate in names:
            n += 1
            candidate = f"{name[: NAME_LONGEST - 5]} ({n})"
        names.append(candidate)
    return names


@transaction.atomic
def slate_send_to_ballot(
    *, slate: Slate, actor: User | None, now: datetime | None = None
) -> Ballot | None:
    """Make and open the slate's ballot (see the module docstring); None when it lapsed.
    ``actor`` is an organiser of the first group, or None for the clock."""
    now = now or timezone.now()
    locked = _locked(slate)
    if actor is not None and not member_is_organiser(actor, locked.group):
        raise SlateError("Only the organisers of the group that opened the slate can do this.")
    if locked.state != SlateState.APPLICATIONS:
        raise SlateError("Only a slate taking applications can go to a ballot.")
    if now < locked.applications_close_at:
        raise SlateError("Applications are still open.")
    applicants = list(
        SlateApplication.objects.filter(slate=locked, withdrawn=False).order_by("created_at", "pk")
    )
    if len(applicants) < 2:
        locked.state = SlateState.LAPSED
        locked.result_note = "Fewer than two members applied, so there was no ballot."
        locked.save(update_fields=["state", "result_note"])
        return None
    names = _distinct_names(applicants)
    seats = min(locked.places, len(applicants) - 1)
    description = "\n\n".join(
        [
            f"Rank the members who asked to be on the slate for {locked.election}: "
            f"{locked.places} place{'s' if locked.places != 1 else ''}. The count (single "
            "transferable vote) puts them in order; the elected, in the order of their "
            "election, are published as the recommended slate.",
            *(f"{name}:\n\n{a.statement}" for name, a in zip(names, applicants, strict=True)),
        ]
    )
    try:
        ballot = ballot_create(
            creator=actor,
            group=locked.group,
            title=ballot_text_printable(f"Slate: {locked.title}", max_length=200),
            description=description,
            opens_at=now,
            closes_at=now + timedelta(days=locked.ballot_days),
            questions=[
                QuestionInput(
                    text=ballot_text_printable(
                        f"Rank the applicants for the slate for {locked.election}",
                        max_length=500,
                    ).replace('"', "”"),
                    method=Method.SCOTTISH_STV,
                    choices=names,
                    seats=seats,
                )
            ],
            now=now,
        )
        roll = electorate_of_groups(group_ids=slate_group_ids(locked, agreed_only=True))
        ballot = ballot_open(
            ballot=ballot, now=now, member_ids=list(roll.values_list("pk", flat=True))
        )
    except BallotError as error:
        raise SlateError(str(error)) from None
    for position, (application, name) in enumerate(zip(applicants, names, strict=True), 1):
        application.ballot_position = position
        application.name = name
        application.save(update_fields=["ballot_position", "name"])
    locked.state = SlateState.VOTING
    locked.ballot = ballot
    locked.save(update_fields=["state", "ballot"])
    audit_record(
        actor=actor,
        action="slates.send_to_ballot",
        target_type="slate",
        target_id=locked.pk,
        details={"ballot": ballot.pk, "applicants": len(applicants)},
    )
    return ballot


# 4. The result -----------------------------------------------------------------------------


@transaction.atomic
def slate_result_record(*, slate: Slate, now: datetime | None = None) -> bool:
    """Publish the recommended order from the published ballot; False when there is nothing to
    write yet (or it was written already)."""
    now = now or timezone.now()
    locked = _locked(slate)
    if locked.state != SlateState.VOTING or locked.ballot is None:
        return False
    ballot = locked.ballot
    if ballot.state != BallotState.PUBLISHED:
        return False
    question = ballot.questions.order_by("position").first()
    result = (question.result if question else None) or {}
    elected: list[str] = list(result.get("elected", []))
    applicants = {a.name: a for a in SlateApplication.objects.filter(slate=locked, withdrawn=False)}
    order = [applicants[name] for name in elected if name in applicants]
    if len(applicants) <= locked.places:
        # Every applicant has a place: the one the count did not elect takes the last.
        order += [a for name, a in sorted(applicants.items()) if a not in order]
    for place, application in enumerate(order, 1):
        application.slate_position = place
        application.save(update_fields=["slate_position"])
    locked.state = SlateState.PUBLISHED
    locked.published_at = now
    # No turnout here: the ballot's results page shows it, with its rules for small numbers.
    locked.result_note = "Ranked by the members in a secret ballot (single transferable vote)."
    locked.save(update_fields=["state", "published_at", "result_note"])
    return True


# The clock ---------------------------------------------------------------------------------


def slates_resolve_due(*, now: datetime | None = None) -> int:
    """Send to a ballot the slates whose applications have closed, and publish those whose
    ballot's results are out. Each slate in its own transaction, its row locked and its state
    checked again: safe to run twice. Returns how many slates changed."""
    now = now or timezone.now()
    changed = 0
    due = Slate.objects.filter(state=SlateState.APPLICATIONS, applications_close_at__lte=now)
    for slate in due:
        try:
            slate_send_to_ballot(slate=slate, actor=None, now=now)
        except SlateError as error:
            logger.warning("Slate %s could not go to a ballot: %s", slate.pk, error)
            continue
        changed += 1
    counted = Slate.objects.filter(state=SlateState.VOTING, ballot__state=BallotState.PUBLISHED)
    for slate in counted:
        changed += slate_result_record(slate=slate, now=now)
    return changed
