"""A conversation with two camps and some common ground, voted through the real services."""

from __future__ import annotations

from collections.abc import Callable

from rankandfile.accounts.models import User
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import vote_cast

# Statements 0-3 split the camps one way, 4-7 the other way; everyone agrees with 8-10 and
# disagrees with 11.
SEEDS_WITH_COMMON_GROUND = (
    "We should stay in the party and fight for its direction.",
    "Conference decisions should bind the leadership.",
    "The party can still be changed from within.",
    "Our councillors should stay in the party group.",
    "We should leave and build a new party.",
    "We should stand candidates against the party.",
    "The party cannot be changed from within.",
    "Our councillors should sit as independents.",
    "Members should elect every candidate.",
    "The leadership should publish the report in full.",
    "Local branches should control their own funds.",
    "Nothing needs to change.",
)
COMMON_GROUND = SEEDS_WITH_COMMON_GROUND[8:11]


def camp_vote(number: int, camp: int) -> int:
    if number >= 11:
        return -1
    if number >= 8:
        return 1
    return 1 if (number < 4) == (camp == 0) else -1


def camps_vote(
    conversation: Conversation,
    make_participant: Callable[[Conversation], User],
    *,
    each: int,
    voters: list[User] | None = None,
) -> list[User]:
    """``each`` members in each of two camps vote on every statement; ``voters`` (members of
    the group already) vote first, alternating camps. Returns every voter, in voting order."""
    statements = list(conversation.statements.order_by("number"))
    members = list(voters or [])
    members += [make_participant(conversation) for _ in range(2 * each - len(members))]
    for i, member in enumerate(members):
        for statement in statements:
            vote_cast(
                conversation=conversation,
                statement=statement,
                member=member,
                value=camp_vote(statement.number, i % 2),
            )
    return members
