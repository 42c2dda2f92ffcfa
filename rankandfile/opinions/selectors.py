"""Reads about conversations, each deciding what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.http import Http404

from rankandfile.accounts.models import User
from rankandfile.groups.models import Membership, Visibility
from rankandfile.opinions.models import (
    MAP_VOTES_LEAST,
    VOTABLE,
    Conversation,
    ConversationState,
    OpinionMapResult,
    Participant,
    Statement,
    StatementStatus,
)
from rankandfile.opinions.services import member_key, member_may_organise, votes_count_of

Viewer = User | AnonymousUser


def _visible_q(viewer: Viewer) -> Q:
    """The network's conversations and those of groups that are not hidden from the viewer."""
    visible = Q(group__isnull=True) | ~Q(group__visibility=Visibility.HIDDEN)
    if isinstance(viewer, User):
        visible |= Q(group_id__in=Membership.objects.filter(member=viewer).values("group_id"))
    return visible


def conversations_for_viewer(viewer: Viewer) -> QuerySet[Conversation]:
    """Open conversations first, newest first; a hidden group's only for its members."""
    return (
        Conversation.objects.filter(_visible_q(viewer))
        .select_related("group")
        .order_by("-state", "-created_at", "pk")  # "open" > "closed"
    )


def conversation_get_for_viewer(*, conversation_id: int, viewer: Viewer) -> Conversation:
    """A conversation the viewer may see, or 404 (no hint that a hidden group's exists)."""
    conversation = (
        Conversation.objects.filter(_visible_q(viewer), pk=conversation_id)
        .select_related("group")
        .first()
    )
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def conversation_get_for_organiser(*, conversation_id: int, organiser: User) -> Conversation:
    conversation = conversation_get_for_viewer(conversation_id=conversation_id, viewer=organiser)
    if not member_may_organise(member=organiser, group=conversation.group):
        raise Http404("No such conversation")
    return conversation


def votes_cast_by(*, conversation: Conversation, viewer: Viewer) -> int:
    if not isinstance(viewer, User):
        return 0
    return votes_count_of(conversation=conversation, member=viewer)


def map_visible_to(
    *, conversation: Conversation, viewer: Viewer, votes_cast: int | None = None
) -> bool:
    """Everyone sees a published map once the conversation has closed; while it is open, a
    member sees it after voting on MAP_VOTES_LEAST statements, and organisers always."""
    if conversation.state == ConversationState.CLOSED and conversation.map_published:
        return True
    if not isinstance(viewer, User):
        return False
    if member_may_organise(member=viewer, group=conversation.group):
        return True
    if votes_cast is None:
        votes_cast = votes_cast_by(conversation=conversation, viewer=viewer)
    return votes_cast >= MAP_VOTES_LEAST


def export_public(conversation: Conversation) -> bool:
    """Anyone who can see the conversation may download its export once it has closed with its
    map published; otherwise, once closed, only its organisers (and nobody while it is open)."""
    return conversation.state == ConversationState.CLOSED and conversation.map_published


def map_of(conversation: Conversation) -> OpinionMapResult | None:
    return OpinionMapResult.objects.filter(conversation=conversation).first()


def conversation_rows_for_viewer(viewer: Viewer) -> QuerySet[Conversation]:
    """The list page's rows: ``conversations_for_viewer`` with ``statements_count``, the
    statements members vote on."""
    return conversations_for_viewer(viewer).annotate(
        statements_count=Count("statements", filter=Q(statements__status__in=VOTABLE))
    )


@dataclass(frozen=True)
class AwaitingVotes:
    conversation: Conversation
    left: int  # statements the member has not voted on yet


def conversations_awaiting_votes(member: User) -> list[AwaitingVotes]:
    """Open conversations of the member's groups and of the network with statements they have
    not voted on, soonest closing first: two queries however many there are (the member's
    participant rows are found by their keys, which only Python can compute)."""
    conversations = list(
        Conversation.objects.filter(state=ConversationState.OPEN)
        .filter(
            Q(group__isnull=True)
            | Q(group_id__in=Membership.objects.filter(member=member).values("group_id"))
        )
        .annotate(votable=Count("statements", filter=Q(statements__status__in=VOTABLE)))
        .filter(votable__gt=0)
        .select_related("group")
        .order_by(F("closes_at").asc(nulls_last=True), "-created_at", "pk")
    )
    if not conversations:
        return []
    keys = [member_key(conversation_id=c.pk, member_id=member.pk) for c in conversations]
    voted = dict(
        Participant.objects.filter(conversation__in=conversations, member_key__in=keys)
        .annotate(voted=Count("votes", filter=Q(votes__statement__status__in=VOTABLE)))
        .values_list("conversation_id", "voted")
    )
    awaiting = [AwaitingVotes(c, c.votable - voted.get(c.pk, 0)) for c in conversations]
    return [each for each in awaiting if each.left > 0]


def statements_votable(conversation: Conversation) -> QuerySet[Statement]:
    return conversation.statements.filter(status__in=VOTABLE).order_by("number")


def statements_for_moderation(conversation: Conversation) -> QuerySet[Statement]:
    """Every statement, those waiting for a decision first; authors are never read."""
    waiting_first = Case(When(status=StatementStatus.PENDING, then=0), default=1)
    return (
        conversation.statements.defer("author")
        .annotate(waiting_first=waiting_first)
        .order_by("waiting_first", "number")
    )
