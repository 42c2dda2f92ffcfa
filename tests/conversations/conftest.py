"""Conversations built through the real services."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group
from rankandfile.groups.services import group_join
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import conversation_create
from tests.personas import MakeGroup, MakeMember

MakeConversation = Callable[..., Conversation]

SEEDS = (
    "We should stay in the party and fight for its direction.",
    "We should leave and build a new party.",
    "Members should elect every candidate.",
    "The leadership should publish the report in full.",
    "Local branches should control their own funds.",
    "We should organise in our workplaces as well as the party.",
    "Conference decisions should bind the leadership.",
    "We should stand candidates against the party.",
)


@pytest.fixture
def make_conversation(make_member: MakeMember, make_group: MakeGroup) -> MakeConversation:
    def make(
        *,
        organiser: User | None = None,
        group: Group | None = None,
        seeds: Sequence[str] = SEEDS,
        **options: object,
    ) -> Conversation:
        organiser = organiser or make_member(mfa=True)
        group = group or make_group(organiser=organiser)
        return conversation_create(
            organiser=organiser,
            group=group,
            question="Stay and fight, or leave and build?",
            seed_statements=seeds,
            **options,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def make_participant(make_member: MakeMember) -> Callable[[Conversation], User]:
    """A member of the conversation's group, ready to vote."""

    def make(conversation: Conversation) -> User:
        member = make_member()
        assert conversation.group is not None
        group_join(group=conversation.group, member=member)
        return member

    return make
