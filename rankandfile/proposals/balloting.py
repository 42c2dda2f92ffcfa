"""A proposal to a ballot and back (steps 5 and 6 of the flow in ``services``), and the clock.

:func:`proposal_send_to_ballot` makes the ballot through ``ballots.services``: one yes/no
question for each amendment not accepted that has as many supporters as the proposal needs, in
the order their passages fall in the text, then the motion as amended; it opens at once, its
roll the group's members. :func:`proposal_result_record` reads the published results (the
ballots app knows nothing of proposals) and writes them back. :func:`proposals_resolve_due`
lapses, sends and records as each falls due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
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
)
from rankandfile.lib.urls import absolute_url
from rankandfile.proposals.models import (
    LIVE_AMENDMENT_STATES,
    Amendment,
    AmendmentState,
    Proposal,
    ProposalState,
    ProposalVersion,
    Support,
)
from rankandfile.proposals.passages import Change, changes_apply
from rankandfile.proposals.selectors import (
    amendment_change,
    member_may_organise,
    proposal_settings_of,
)
from rankandfile.proposals.services import ProposalError, proposal_locked

logger = logging.getLogger(__name__)

QUESTION_LONGEST = 500
# How much of a passage a ballot question quotes.
QUOTED_LONGEST = 120


# To a ballot -------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > QUOTED_LONGEST:
        flat = flat[: QUOTED_LONGEST - 1].rstrip() + "…"
    return f"“{flat}”"


def amendment_summary(change: Change, base_text: str) -> str:
    """The change in words, for a ballot question: replace, insert or delete, quoted."""
    old = base_text[change.start : change.end]
    if not old.strip():
        before = " ".join(base_text[: change.start].split()[-4:])
        where = f" after {_quoted(before)}" if before else " at the start"
        return f"insert {_quoted(change.replacement)}{where}"
    if not change.replacement.strip():
        return f"delete {_quoted(old)}"
    return f"replace {_quoted(old)} with {_quoted(change.replacement)}"


def _question(text: str) -> QuestionInput:
    return QuestionInput(
        text=ballot_text_printable(text, max_length=QUESTION_LONGEST), method=Method.YESNO
    )


def _ballot_description(proposal: Proposal, balloted: Sequence[Amendment]) -> str:
    parts = [
        f"A proposal by {proposal.proposer or 'a former member'}, sent to the members' vote.",
        "Each amendment is counted first, in this order; then the motion, as amended by the "
        "amendments carried (an amendment that changes the same passage as one carried before "
        "it is not applied).",
        f"The full text and the discussion: {absolute_url(proposal.get_absolute_url())}",
        f"The motion as it stands:\n\n{proposal.text}",
    ]
    for amendment in balloted:
        change = amendment_summary(amendment_change(amendment, proposal.text), proposal.text)
        author = amendment.author or "a former member"
        reason = f"\n\nThe reason given: {amendment.reason}" if amendment.reason else ""
        parts.append(f"Amendment {amendment.number}, by {author}: {change}.{reason}")
    return "\n\n".join(parts)


@transaction.atomic
def proposal_send_to_ballot(
    *,
    proposal: Proposal,
    actor: User | None,
    now: datetime | None = None,
    closes_at: datetime | None = None,
) -> Ballot:
    """Make and open the ballot (see the module docstring). ``actor`` is an organiser, or None
    for the clock at ``discussion_closes_at``."""
    now = now or timezone.now()
    locked = proposal_locked(proposal)
    if actor is not None and not member_may_organise(member=actor, group=locked.group):
        raise ProposalError("Only the group's organisers can send a proposal to a ballot.")
    if locked.state != ProposalState.DISCUSSION:
        raise ProposalError("Only a proposal under discussion can go to a ballot.")
    assert locked.support_threshold is not None
    threshold = locked.support_threshold
    if Support.objects.filter(proposal=locked).count() < threshold:
        raise ProposalError(
            f"The proposal needs {threshold} supporters before it can go to a ballot."
        )
    live = list(
        Amendment.objects.filter(proposal=locked, state__in=LIVE_AMENDMENT_STATES)
        .select_related("author", "base_version")
        .annotate(support_count=Count("supports"))
        .order_by("change_start", "number")
    )
    balloted = [a for a in live if a.support_count >= threshold]
    for amendment in live:
        if amendment not in balloted:
            amendment.state = AmendmentState.FELL
            amendment.state_note = "Not enough supporters to go to the ballot."
            amendment.decided_at = now
            amendment.save(update_fields=["state", "state_note", "decided_at"])
    title = ballot_text_printable(locked.title, max_length=150)
    questions = [
        _question(
            f"Amendment {a.number} to “{title}”: "
            f"{amendment_summary(amendment_change(a, locked.text), locked.text)}. "
            "Do you support this amendment?"
        )
        for a in balloted
    ]
    motion = f"Do you support the motion “{title}”"
    questions.append(_question(f"{motion}, as amended?" if balloted else f"{motion}?"))
    rules = proposal_settings_of(locked.group)
    try:
        ballot = ballot_create(
            creator=actor,
            group=locked.group,
            title=f"Proposal: {title}",
            description=_ballot_description(locked, balloted),
            opens_at=now,
            closes_at=closes_at or now + timedelta(days=rules.ballot_days),
            questions=questions,
            now=now,
        )
        ballot = ballot_open(ballot=ballot, now=now)
    except BallotError as error:
        raise ProposalError(str(error)) from None
    for position, amendment in enumerate(balloted, 1):
        amendment.state = AmendmentState.ON_BALLOT
        amendment.ballot_position = position
        amendment.save(update_fields=["state", "ballot_position"])
    locked.state = ProposalState.TO_BALLOT
    locked.ballot = ballot
    locked.save(update_fields=["state", "ballot"])
    audit_record(
        actor=actor,
        action="proposals.send_to_ballot",
        target_type="proposal",
        target_id=locked.pk,
        details={"ballot": ballot.pk, "amendments": len(balloted)},
    )
    return ballot


# Results -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_result_record(*, proposal: Proposal, now: datetime | None = None) -> bool:
    """Write the published ballot's result back; False when there is nothing to write yet (or
    it was written already)."""
    now = now or timezone.now()
    locked = proposal_locked(proposal)
    if locked.state != ProposalState.TO_BALLOT or locked.ballot is None:
        return False
    ballot = locked.ballot
    if ballot.state != BallotState.PUBLISHED:
        return False
    outcome = {q.position: (q.result or {}).get("outcome") for q in ballot.questions.all()}
    balloted = list(
        Amendment.objects.filter(proposal=locked, state=AmendmentState.ON_BALLOT)
        .select_related("base_version")
        .order_by("ballot_position")
    )
    base_text = locked.text
    applied: list[Change] = []
    for amendment in balloted:
        amendment.decided_at = now
        voted = outcome.get(amendment.ballot_position or 0)
        if voted != "carried":
            amendment.state = AmendmentState.FELL
            amendment.state_note = f"The members voted: {voted}."
            amendment.save(update_fields=["state", "state_note", "decided_at"])
            continue
        change = amendment_change(amendment, base_text)
        text, skipped = changes_apply(base_text, [*applied, change])
        amendment.state = AmendmentState.CARRIED
        if skipped:
            amendment.state_note = (
                "Carried, but it changes the same passage as an amendment carried before it, "
                "so it was not applied."
            )
        else:
            applied.append(change)
            version = ProposalVersion.objects.create(
                proposal=locked, number=locked.version_number + 1, text=text, amendment=amendment
            )
            locked.version_number = version.number
            locked.text = text
        amendment.save(update_fields=["state", "state_note", "decided_at"])
    motion_outcome = outcome.get(len(balloted) + 1)
    locked.state = ProposalState.CARRIED if motion_outcome == "carried" else ProposalState.FELL
    locked.result_text = locked.text
    locked.result_note = f"The members voted on the motion: {motion_outcome}."
    locked.decided_at = now
    locked.save(
        update_fields=[
            "state", "result_text", "result_note", "decided_at", "text", "version_number",
        ]
    )  # fmt: skip
    return True


# The clock ---------------------------------------------------------------------------------


def proposals_resolve_due(*, now: datetime | None = None) -> int:
    """Lapse the proposals whose support period ended short of the threshold, send to a ballot
    those whose discussion has closed with it met, and record published results. Each proposal
    in its own transaction, its row locked, its state checked again: safe to run twice or
    concurrently. Returns how many proposals changed."""
    now = now or timezone.now()
    changed = 0
    discussed = Proposal.objects.filter(state=ProposalState.DISCUSSION)
    for proposal in discussed.filter(support_deadline__lte=now):
        changed += _lapse(proposal, now)  # if still short of its threshold
    for proposal in discussed.filter(discussion_closes_at__lte=now):
        try:
            proposal_send_to_ballot(proposal=proposal, actor=None, now=now)
        except ProposalError as error:
            logger.warning("Proposal %s could not go to a ballot: %s", proposal.pk, error)
            continue
        changed += 1
    balloted = Proposal.objects.filter(
        state=ProposalState.TO_BALLOT, ballot__state=BallotState.PUBLISHED
    )
    for decided in balloted:
        changed += proposal_result_record(proposal=decided, now=now)
    return changed


@transaction.atomic
def _lapse(proposal: Proposal, now: datetime) -> int:
    locked = proposal_locked(proposal)
    if locked.state != ProposalState.DISCUSSION:
        return 0
    if Support.objects.filter(proposal=locked).count() >= (locked.support_threshold or 0):
        return 0
    locked.state = ProposalState.LAPSED
    locked.decided_at = now
    locked.result_note = "Not enough members supported it before the support period ended."
    locked.save(update_fields=["state", "decided_at", "result_note"])
    Amendment.objects.filter(proposal=locked, state__in=LIVE_AMENDMENT_STATES).update(
        state=AmendmentState.FELL, state_note="The proposal lapsed.", decided_at=now
    )
    return 1
