"""From votes to a map: the service flow, end to end, without the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rankandfile.accounts.models import User
from rankandfile.opinions.models import (
    Conversation,
    ConversationState,
    OpinionMapResult,
    Participant,
    Statement,
    Vote,
)
from rankandfile.opinions.services import (
    OpinionError,
    conversation_close,
    map_recompute,
    next_statement_for,
    statement_submit,
    vote_cast,
    votes_of,
)
from tests.conversations.conftest import MakeConversation

pytestmark = pytest.mark.django_db


def _two_camps(
    conversation: Conversation, make_participant: Callable[[Conversation], User], each: int
) -> list[User]:
    """Half the members agree with the even statements, half with the odd ones."""
    members = []
    statements = list(conversation.statements.order_by("number"))
    for i in range(2 * each):
        member = make_participant(conversation)
        for statement in statements:
            agrees = (statement.number % 2 == 0) == (i % 2 == 0)
            vote_cast(
                conversation=conversation,
                statement=statement,
                member=member,
                value=1 if agrees else -1,
            )
        members.append(member)
    return members


def test_two_camps_become_two_groups_with_their_statements(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    conversation = make_conversation()
    _two_camps(conversation, make_participant, each=10)
    result = map_recompute(conversation_id=conversation.pk)
    assert result.participants_count == 20
    assert result.votes_count == 20 * 8
    assert sorted(result.data["group_sizes"]) == [10, 10]
    groups = result.data["groups"]
    assert {groups[str(n)] for n in range(0, 20, 2)} != {groups[str(n)] for n in range(1, 20, 2)}
    # Each group is represented by agreeing with its own statements.
    for rows in result.data["repness"].values():
        assert rows and {row["direction"] for row in rows} <= {"agree", "disagree"}
    # Statements now carry the routing priority of the map.
    assert not Statement.objects.filter(conversation=conversation, priority=None).exists()


def test_a_changed_vote_replaces_the_first(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    statement = conversation.statements.get(number=0)
    vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    vote_cast(conversation=conversation, statement=statement, member=member, value=-1)
    assert votes_of(conversation=conversation, member=member) == {statement.pk: -1}
    assert Vote.objects.count() == 1


def test_the_next_statement_is_one_not_yet_voted_on(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    seen = set()
    while (statement := next_statement_for(conversation=conversation, member=member)) is not None:
        assert statement.pk not in seen
        seen.add(statement.pk)
        vote_cast(conversation=conversation, statement=statement, member=member, value=0)
    assert len(seen) == 8


def test_a_statement_is_at_most_280_characters_and_counts_as_agreeing(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    with pytest.raises(OpinionError, match="at most 280"):
        statement_submit(conversation=conversation, member=member, text="x" * 281)
    statement = statement_submit(conversation=conversation, member=member, text="y" * 280)
    assert votes_of(conversation=conversation, member=member) == {statement.pk: 1}
    with pytest.raises(OpinionError, match="already"):
        statement_submit(conversation=conversation, member=member, text="Y" * 280)


def test_closing_forgets_whose_votes_are_whose(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    _two_camps(conversation, make_participant, each=2)
    assert conversation.created_by is not None
    conversation_close(conversation=conversation, organiser=conversation.created_by)
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.CLOSED
    assert not Participant.objects.exclude(member_key=None).exists()
    assert Vote.objects.count() == 4 * 8
    map_recompute(conversation_id=conversation.pk)
    assert OpinionMapResult.objects.get(conversation=conversation).participants_count == 4


def test_a_vote_is_a_few_queries(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    first, second = conversation.statements.order_by("number")[:2]
    vote_cast(conversation=conversation, statement=first, member=member, value=1)
    with CaptureQueriesContext(connection) as queries:
        vote_cast(conversation=conversation, statement=second, member=member, value=1)
    # Membership, participant, the vote's update_or_create (a read and an insert); savepoints
    # aside.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 4
