"""Every write about a proposal: draft, open, support, amend, send to a ballot, record the result.

The flow:

1. :func:`proposal_draft_create` / :func:`proposal_draft_update`: the proposer's draft, seen
   by nobody else;
2. :func:`proposal_open`: open for discussion. The support threshold is fixed now from the
   group's settings and size (``support_threshold``), with the dates: supporters count until
   ``support_deadline``; discussion closes at ``discussion_closes_at`` (the same time unless
   given later). Version 1 of the text is recorded;
3. :func:`proposal_support`: one row per supporter (a unique constraint), counted; the proposal
   row is locked while a member supports, so the count that decides "the threshold is reached"
   is exact under concurrent supporters, and the proposer is told once, through the outbox;
4. :func:`amendment_propose`, :func:`amendment_accept` (the text changes, a new version is
   kept; other live amendments are moved onto the new text, or outdated when they changed the
   same passage), :func:`amendment_reject`, :func:`amendment_support`;
5. ``balloting.proposal_send_to_ballot`` (an organiser, once the threshold is met; or the clock at
   ``discussion_closes_at``): a ballot of the group through ``ballots.services``, one yes/no
   question for each amendment not accepted that has enough supporters of its own, in the order
   their passages fall in the text, then the motion as amended; opened at once;
6. ``balloting.proposal_result_record`` once the ballot's results are published (the clock): carried
   amendments applied in ballot order (one that competes with one carried before it is not),
   each making a version; the motion carried or fell.

``balloting.proposals_resolve_due`` is the clock's job: lapse, send and record, each once.
Comments are written in ``comments.py``.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.ballots.services import (
    ballot_text_printable,
)
from rankandfile.groups.models import Group, Membership
from rankandfile.lib.markdown import (
    COMMENT_LONGEST,
    PROPOSAL_LONGEST,
    MarkdownTooLongError,
    markdown_source_clean,
)
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import message_enqueue
from rankandfile.proposals.models import (
    LIVE_AMENDMENT_STATES,
    Amendment,
    AmendmentState,
    AmendmentSupport,
    Proposal,
    ProposalSettings,
    ProposalState,
    ProposalVersion,
    Support,
    ThresholdKind,
)
from rankandfile.proposals.passages import change_between, change_rebase
from rankandfile.proposals.selectors import (
    amendment_change,
    member_may_organise,
    member_of_group,
    proposal_settings_of,
)

logger = logging.getLogger(__name__)

TITLE_LONGEST = 200


class ProposalError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


# Settings and threshold -------------------------------------------------------------------


def support_threshold_for(*, rules: ProposalSettings, member_count: int) -> int:
    """Supporters needed: the group's number of people, or its percentage of its members
    (rounded up), whichever rule the group chose; at least one."""
    if rules.threshold_kind == ThresholdKind.PERCENT:
        return max(1, math.ceil(member_count * rules.threshold_percent / 100))
    return max(1, rules.threshold_people)


@transaction.atomic
def proposal_settings_update(
    *,
    organiser: User,
    group: Group,
    threshold_kind: str,
    threshold_people: int,
    threshold_percent: int,
    support_days: int,
    ballot_days: int = 7,
) -> ProposalSettings:
    """The group's rules for proposals opened from now on (an open one keeps its own)."""
    if not member_may_organise(member=organiser, group=group):
        raise ProposalError("Only the group's organisers can change its rules for proposals.")
    if threshold_kind not in ThresholdKind.values:
        raise ProposalError("Choose a number of members or a percentage.")
    if threshold_people < 1 or not 1 <= threshold_percent <= 100:
        raise ProposalError("The threshold must be at least 1 member, or 1% to 100%.")
    if not 1 <= support_days <= 365 or not 1 <= ballot_days <= 60:
        raise ProposalError("The support period is 1 to 365 days; voting 1 to 60 days.")
    rules, _ = ProposalSettings.objects.update_or_create(
        group=group,
        defaults={
            "threshold_kind": threshold_kind,
            "threshold_people": threshold_people,
            "threshold_percent": threshold_percent,
            "support_days": support_days,
            "ballot_days": ballot_days,
        },
    )
    audit_record(
        actor=organiser,
        action="proposals.settings_update",
        target_type="group",
        target_id=group.pk,
        details={"threshold_kind": threshold_kind, "support_days": support_days},
    )
    return rules


# Drafts ------------------------------------------------------------------------------------


def _require_member(member: User, group_id: int) -> None:
    if not member_of_group(member=member, group_id=group_id):
        raise ProposalError("Only the group's members can do that.")


def _clean_title(title: str) -> str:
    cleaned = ballot_text_printable(title, max_length=TITLE_LONGEST + 1)
    if not cleaned:
        raise ProposalError("Give the proposal a title.")
    if len(cleaned) > TITLE_LONGEST:
        raise ProposalError(f"A title can be at most {TITLE_LONGEST} characters.")
    return cleaned


def proposal_text_clean(text: str, *, what: str = "The proposal's text") -> str:
    try:
        cleaned = markdown_source_clean(text, longest=PROPOSAL_LONGEST, what=what)
    except MarkdownTooLongError as error:
        raise ProposalError(str(error)) from None
    if not cleaned:
        raise ProposalError(f"{what} is empty: write the proposal.")
    return cleaned


def reason_clean(text: str) -> str:
    try:
        return markdown_source_clean(text, longest=COMMENT_LONGEST, what="The reason")
    except MarkdownTooLongError as error:
        raise ProposalError(str(error)) from None


@transaction.atomic
def proposal_draft_create(*, proposer: User, group: Group, title: str, text: str) -> Proposal:
    _require_member(proposer, group.pk)
    return Proposal.objects.create(
        group=group, proposer=proposer, title=_clean_title(title), text=proposal_text_clean(text)
    )


def proposal_locked(proposal: Proposal) -> Proposal:
    """The proposal, its row locked until the transaction ends: every write about a proposal
    takes this lock first, so that writes to one proposal happen one after another."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("group", "proposer")
        .get(pk=proposal.pk)
    )


def _draft_locked_for(*, proposal: Proposal, proposer: User) -> Proposal:
    locked = proposal_locked(proposal)
    if locked.proposer_id != proposer.pk:
        raise ProposalError("Only the proposer can change a draft.")
    if locked.state != ProposalState.DRAFT:
        raise ProposalError(
            "The proposal is open for discussion: its text changes only by amendments."
        )
    return locked


@transaction.atomic
def proposal_draft_update(*, proposal: Proposal, proposer: User, title: str, text: str) -> Proposal:
    locked = _draft_locked_for(proposal=proposal, proposer=proposer)
    locked.title = _clean_title(title)
    locked.text = proposal_text_clean(text)
    locked.save(update_fields=["title", "text"])
    return locked


@transaction.atomic
def proposal_open(
    *,
    proposal: Proposal,
    proposer: User,
    discussion_closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Open the draft for discussion and support; see the module docstring."""
    now = now or timezone.now()
    locked = _draft_locked_for(proposal=proposal, proposer=proposer)
    _require_member(proposer, locked.group_id)
    rules = proposal_settings_of(locked.group)
    members = Membership.objects.filter(group_id=locked.group_id).count()
    locked.support_threshold = support_threshold_for(rules=rules, member_count=members)
    locked.support_deadline = now + timedelta(days=rules.support_days)
    if discussion_closes_at is not None and discussion_closes_at < locked.support_deadline:
        raise ProposalError("Discussion cannot close before the support period ends.")
    locked.discussion_closes_at = discussion_closes_at or locked.support_deadline
    locked.state = ProposalState.DISCUSSION
    locked.opened_at = now
    locked.version_number = 1
    locked.save()
    ProposalVersion.objects.create(proposal=locked, number=1, text=locked.text)
    return locked


# Support -----------------------------------------------------------------------------------


def _require_support_open(proposal: Proposal, member: User, now: datetime) -> None:
    _require_member(member, proposal.group_id)
    if proposal.state != ProposalState.DISCUSSION:
        raise ProposalError("The proposal is not open for support.")
    assert proposal.support_deadline is not None
    if now >= proposal.support_deadline:
        raise ProposalError("The support period has ended.")


@transaction.atomic
def proposal_support(*, proposal: Proposal, member: User, now: datetime | None = None) -> int:
    """Support the proposal (again is harmless); returns the number of supporters.

    The proposal row is locked first, so supporters are counted one after another: the count
    that decides whether the threshold is reached includes everyone before.
    """
    now = now or timezone.now()
    locked = proposal_locked(proposal)
    _require_support_open(locked, member, now)
    try:
        with transaction.atomic():
            Support.objects.create(proposal=locked, member=member)
    except IntegrityError:
        pass  # supported already: the unique constraint decides, not a read
    count = Support.objects.filter(proposal=locked).count()
    assert locked.support_threshold is not None
    if count >= locked.support_threshold and locked.threshold_reached_at is None:
        locked.threshold_reached_at = now
        locked.save(update_fields=["threshold_reached_at"])
        _tell_proposer_threshold_reached(locked, count)
    return count


@transaction.atomic
def proposal_unsupport(*, proposal: Proposal, member: User, now: datetime | None = None) -> int:
    now = now or timezone.now()
    locked = proposal_locked(proposal)
    _require_support_open(locked, member, now)
    Support.objects.filter(proposal=locked, member=member).delete()
    return Support.objects.filter(proposal=locked).count()


def _tell_proposer_threshold_reached(proposal: Proposal, count: int) -> None:
    """A service message to the proposer, in this transaction (the outbox sends it after
    commit); the key makes it once per proposal. It names no supporter."""
    if proposal.proposer is None or not proposal.proposer.is_active:
        return
    message_enqueue(
        key=f"proposal:{proposal.pk}:threshold_reached",
        kind=MessageClass.SERVICE,
        recipient=proposal.proposer,
        template="proposal_threshold_reached",
        context={
            "proposal_title": proposal.title,
            "group_name": proposal.group.name,
            "supporters": count,
            "proposal_url": absolute_url(proposal.get_absolute_url()),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        },
        group=proposal.group,
    )


def _tell_proposer_amendment(proposal: Proposal, amendment: Amendment) -> None:
    """The proposer is told of an amendment to their proposal (not of their own), through the
    outbox in this transaction, unless they turned these messages off."""
    proposer = proposal.proposer
    if proposer is None or not proposer.is_active or amendment.author_id == proposer.pk:
        return
    author = amendment.author
    message_enqueue(
        key=f"proposal:{proposal.pk}:amendment:{amendment.number}",
        kind=MessageClass.SERVICE,
        recipient=proposer,
        template="proposal_amendment",
        context={
            "proposal_title": proposal.title,
            "group_name": proposal.group.name,
            "amendment_number": amendment.number,
            "author_name": author.display_name if author else "A member",
            "amendment_url": absolute_url(
                reverse("proposals:amendment", kwargs={"amendment_id": amendment.pk})
            ),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        },
        group=proposal.group,
    )


# Amendments --------------------------------------------------------------------------------


def _current_version(proposal: Proposal) -> ProposalVersion:
    return ProposalVersion.objects.get(proposal=proposal, number=proposal.version_number)


@transaction.atomic
def amendment_propose(
    *, proposal: Proposal, author: User, proposed_text: str, reason: str = ""
) -> Amendment:
    """An amendment: the whole text as the author would have it, on the current version."""
    locked = proposal_locked(proposal)
    _require_member(author, locked.group_id)
    if locked.state != ProposalState.DISCUSSION:
        raise ProposalError("Amendments can be proposed only while the proposal is discussed.")
    text = proposal_text_clean(proposed_text, what="The amended text")
    base = _current_version(locked)
    if text == base.text:
        raise ProposalError("The amended text is the same as the proposal's: change something.")
    change = change_between(base.text, text)
    amendment = Amendment.objects.create(
        proposal=locked,
        number=locked.next_amendment_number,
        author=author,
        base_version=base,
        proposed_text=text,
        reason=reason_clean(reason),
        change_start=change.start,
        change_end=change.end,
    )
    Proposal.objects.filter(pk=locked.pk).update(
        next_amendment_number=F("next_amendment_number") + 1
    )
    _tell_proposer_amendment(locked, amendment)
    return amendment


def _amendment_for_proposer(amendment: Amendment, proposer: User) -> tuple[Proposal, Amendment]:
    locked = proposal_locked(amendment.proposal)
    if locked.proposer_id != proposer.pk:
        raise ProposalError("Only the proposer can accept or reject an amendment.")
    if locked.state != ProposalState.DISCUSSION:
        raise ProposalError("The proposal is no longer being discussed.")
    fresh = Amendment.objects.select_related("base_version").get(pk=amendment.pk)
    if fresh.state != AmendmentState.OPEN:
        raise ProposalError(
            f"Amendment {fresh.number} is no longer open: {fresh.get_state_display().lower()}."
        )
    return locked, fresh


@transaction.atomic
def amendment_accept(
    *, amendment: Amendment, proposer: User, now: datetime | None = None
) -> ProposalVersion:
    """The proposer accepts: the text becomes the amendment's, as a new version. Every other
    live amendment is moved onto the new text, or outdated if it changed the same passage."""
    now = now or timezone.now()
    proposal, accepted = _amendment_for_proposer(amendment, proposer)
    old_text = accepted.base_version.text
    over = amendment_change(accepted, old_text)
    new_text = accepted.proposed_text
    version = ProposalVersion.objects.create(
        proposal=proposal, number=proposal.version_number + 1, text=new_text, amendment=accepted
    )
    proposal.text = new_text
    proposal.version_number = version.number
    proposal.save(update_fields=["text", "version_number"])
    accepted.state = AmendmentState.ACCEPTED
    accepted.decided_at = now
    accepted.save(update_fields=["state", "decided_at"])
    others = Amendment.objects.filter(
        proposal=proposal, state__in=LIVE_AMENDMENT_STATES
    ).select_related("base_version")
    for other in others:
        moved = change_rebase(amendment_change(other, other.base_version.text), over=over)
        if moved is None:
            other.state = AmendmentState.OUTDATED
            other.state_note = (
                f"Amendment {accepted.number}, accepted, changed the same passage. "
                "Propose it again on the new text if it is still wanted."
            )
            other.decided_at = now
            other.save(update_fields=["state", "state_note", "decided_at"])
            continue
        other.base_version = version
        other.proposed_text = moved.apply(new_text)
        other.change_start, other.change_end = moved.start, moved.end
        other.save(update_fields=["base_version", "proposed_text", "change_start", "change_end"])
    return version


@transaction.atomic
def amendment_reject(*, amendment: Amendment, proposer: User, now: datetime | None = None) -> None:
    """The proposer rejects; the amendment stays live, and goes to the ballot as its own question
    if it has enough supporters when the proposal does."""
    _, rejected = _amendment_for_proposer(amendment, proposer)
    rejected.state = AmendmentState.REJECTED
    rejected.decided_at = now or timezone.now()
    rejected.save(update_fields=["state", "decided_at"])


def _amendment_support_locked(amendment: Amendment, member: User, now: datetime) -> Amendment:
    proposal = proposal_locked(amendment.proposal)
    _require_support_open(proposal, member, now)
    fresh = Amendment.objects.get(pk=amendment.pk)
    if fresh.state not in LIVE_AMENDMENT_STATES:
        raise ProposalError(f"Amendment {fresh.number} can no longer be supported.")
    return fresh


@transaction.atomic
def amendment_support(*, amendment: Amendment, member: User, now: datetime | None = None) -> int:
    fresh = _amendment_support_locked(amendment, member, now or timezone.now())
    try:
        with transaction.atomic():
            AmendmentSupport.objects.create(amendment=fresh, member=member)
    except IntegrityError:
        pass
    return AmendmentSupport.objects.filter(amendment=fresh).count()


@transaction.atomic
def amendment_unsupport(*, amendment: Amendment, member: User, now: datetime | None = None) -> int:
    fresh = _amendment_support_locked(amendment, member, now or timezone.now())
    AmendmentSupport.objects.filter(amendment=fresh, member=member).delete()
    return AmendmentSupport.objects.filter(amendment=fresh).count()
