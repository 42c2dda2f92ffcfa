"""Reads about proposals, each deciding what the viewer may see.

A group's proposals are its members' business: only its members see them (deny by default, a
404 for anyone else), and a draft only its proposer. Who supports a proposal is never shown,
only how many.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.proposals.models import (
    LIVE_AMENDMENT_STATES,
    Amendment,
    AmendmentSupport,
    Comment,
    Proposal,
    ProposalSettings,
    ProposalState,
    Support,
)
from rankandfile.proposals.passages import Change, DiffOp, changes_overlap, word_diff

Viewer = User | AnonymousUser


def member_of_group(*, member: Viewer, group_id: int) -> bool:
    return (
        isinstance(member, User)
        and member.is_active
        and Membership.objects.filter(group_id=group_id, member=member).exists()
    )


def proposal_settings_of(group: Group) -> ProposalSettings:
    """The group's rules for proposals: its own, or the defaults (not saved)."""
    found = ProposalSettings.objects.filter(group=group).first()
    return found or ProposalSettings(group=group)


def proposals_for_member(*, group: Group, member: Viewer) -> QuerySet[Proposal]:
    """The group's proposals the member may see, newest first, with their support counts."""
    if not member_of_group(member=member, group_id=group.pk):
        raise Http404("No such group")
    assert isinstance(member, User)
    return (
        Proposal.objects.filter(group=group)
        .filter(~Q(state=ProposalState.DRAFT) | Q(proposer=member))
        .select_related("proposer")
        .annotate(support_count=Count("supports"))
        .order_by("-created_at", "-pk")
    )


def proposal_get_for_viewer(*, proposal_id: int, viewer: Viewer) -> Proposal:
    """A proposal the viewer may see, or 404: members of its group see it; a draft, only its
    proposer."""
    proposal = (
        Proposal.objects.select_related("group", "proposer", "ballot")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not member_of_group(member=viewer, group_id=proposal.group_id):
        raise Http404("No such proposal")
    if proposal.state == ProposalState.DRAFT and proposal.proposer_id != viewer.pk:
        raise Http404("No such proposal")
    return proposal


def member_may_organise(*, member: Viewer, group: Group) -> bool:
    return isinstance(member, User) and member_is_organiser(member, group)


def support_count(proposal: Proposal) -> int:
    return Support.objects.filter(proposal=proposal).count()


def supports_proposal(*, proposal: Proposal, member: Viewer) -> bool:
    return (
        isinstance(member, User)
        and Support.objects.filter(proposal=proposal, member=member).exists()
    )


def amendment_change(amendment: Amendment, base_text: str) -> Change:
    """The amendment's change to ``base_text`` (its base version's text)."""
    unchanged_end = len(base_text) - amendment.change_end
    replacement = amendment.proposed_text[
        amendment.change_start : len(amendment.proposed_text) - unchanged_end
    ]
    return Change(amendment.change_start, amendment.change_end, replacement)


@dataclass
class AmendmentRow:
    amendment: Amendment
    support_count: int
    supported_by_viewer: bool
    competes_with: list[int]
    # The word diff from the text it amends (passages.word_diff).
    diff: list[tuple[DiffOp, str]]


def amendments_for_page(*, proposal: Proposal, viewer: Viewer) -> list[AmendmentRow]:
    """Every amendment of the proposal, with its support and the live amendments it competes
    with (those on the same version whose passages overlap)."""
    amendments = list(
        Amendment.objects.filter(proposal=proposal)
        .select_related("author", "base_version")
        .annotate(support_count=Count("supports"))
        .order_by("number")
    )
    mine: set[int] = set()
    if isinstance(viewer, User):
        mine = set(
            AmendmentSupport.objects.filter(
                amendment__proposal=proposal, member=viewer
            ).values_list("amendment_id", flat=True)
        )
    live = [a for a in amendments if a.state in LIVE_AMENDMENT_STATES]
    changes = {a.pk: amendment_change(a, a.base_version.text) for a in live}
    rows = []
    for amendment in amendments:
        competing = []
        if amendment.pk in changes:
            competing = [
                other.number
                for other in live
                if other.pk != amendment.pk
                and other.base_version_id == amendment.base_version_id
                and changes_overlap(changes[amendment.pk], changes[other.pk])
            ]
        rows.append(
            AmendmentRow(
                amendment=amendment,
                support_count=amendment.support_count,
                supported_by_viewer=amendment.pk in mine,
                competes_with=competing,
                diff=word_diff(amendment.base_version.text, amendment.proposed_text),
            )
        )
    return rows


def comments_top_level(proposal: Proposal) -> QuerySet[Comment]:
    """The proposal's comments (not replies), oldest first, each with its replies and authors
    in two more queries whatever the number of comments on the page."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    return (
        Comment.objects.filter(proposal=proposal, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def comment_page_number(comment: Comment, *, per_page: int) -> int:
    """The page of :func:`comments_top_level` that shows the comment (or, for a reply, the
    comment it replies to)."""
    top = comment.parent if comment.parent_id is not None else comment
    assert top is not None
    before = (
        Comment.objects.filter(proposal_id=comment.proposal_id, parent__isnull=True)
        .filter(Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, pk__lt=top.pk))
        .count()
    )
    return before // per_page + 1


def comments_reported(group: Group) -> QuerySet[Comment]:
    """For the group's organisers: reported comments not yet removed, most reported first."""
    return (
        Comment.objects.filter(proposal__group=group, reported_count__gt=0, deleted=False)
        .select_related("author", "proposal")
        .order_by("-reported_count", "created_at", "pk")
    )
