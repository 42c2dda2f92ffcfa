"""Reads about conversations, each deciding what the viewer may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from rankandfile.accounts.models import User
from rankandfile.groups.models import Membership, Visibility
from rankandfile.opinions.models import (
    MAP_VOTES_LEAST,
    Conversation,
    ConversationState,
    OpinionMapResult,
)
from rankandfile.opinions.services import member_may_organise, participant_of

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
    participant = participant_of(conversation=conversation, member=viewer)
    return participant.votes.count() if participant is not None else 0


def map_visible_to(*, conversation: Conversation, viewer: Viewer) -> bool:
    """Everyone sees a published map once the conversation has closed; while it is open, a
    member sees it after voting on MAP_VOTES_LEAST statements, and organisers always."""
    if conversation.state == ConversationState.CLOSED and conversation.map_published:
        return True
    if not isinstance(viewer, User):
        return False
    if member_may_organise(member=viewer, group=conversation.group):
        return True
    return votes_cast_by(conversation=conversation, viewer=viewer) >= MAP_VOTES_LEAST


def map_of(conversation: Conversation) -> OpinionMapResult | None:
    return OpinionMapResult.objects.filter(conversation=conversation).first()
