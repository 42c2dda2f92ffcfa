"""The map is recomputed in the background, once per burst of votes: a burst queues one task,
a vote cast while that task runs (or after) queues one more. At its closing time a conversation
closes, once, and forgets whose votes are whose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankandfile.accounts.models import User
from rankandfile.opinions import maths, services
from rankandfile.opinions.models import (
    Conversation,
    ConversationState,
    OpinionMapResult,
    Participant,
    Vote,
)
from rankandfile.opinions.services import (
    RECOMPUTE_AFTER,
    conversations_close_due,
    map_recompute,
    vote_cast,
)
from rankandfile.opinions.tasks import conversations_close_due as close_due_task
from tests.conversations.conftest import MakeConversation
from tests.personas import CaptureCallbacks

pytestmark = pytest.mark.django_db

RECOMPUTE = "rankandfile.opinions.tasks.opinion_map_recompute"


def _queued(conversation: Conversation) -> list[DBTaskResult[Any, Any]]:
    return [
        task
        for task in DBTaskResult.objects.filter(task_path=RECOMPUTE).order_by("enqueued_at")
        if task.args_kwargs["args"] == [conversation.pk]
    ]


def _vote(conversation: Conversation, member: User, number: int, value: int = 1) -> None:
    statement = conversation.statements.get(number=number)
    vote_cast(conversation=conversation, statement=statement, member=member, value=value)


def test_a_burst_of_votes_queues_one_recompute_a_little_later(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    conversation = make_conversation()
    first, second = make_participant(conversation), make_participant(conversation)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _vote(conversation, first, 0)
        _vote(conversation, second, 0)
    with django_capture_on_commit_callbacks(execute=True):
        _vote(conversation, first, 1)  # a later transaction, the task not yet run
    queued = _queued(conversation)
    assert len(queued) == 1
    assert queued[0].run_after >= before + RECOMPUTE_AFTER
    conversation.refresh_from_db()
    assert conversation.recompute_queued


def test_a_vote_during_or_after_a_run_queues_another(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    django_capture_on_commit_callbacks: CaptureCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    with django_capture_on_commit_callbacks(execute=True):
        _vote(conversation, member, 0)
    assert len(_queued(conversation)) == 1

    # The run reads the votes after clearing the flag: a vote cast meanwhile is not in this
    # map, so it must queue the next run.
    opinion_map = maths.opinion_map

    def a_vote_arrives_during_the_run(*args: Any, **kwargs: Any) -> maths.OpinionMap:
        _vote(conversation, member, 1)
        return opinion_map(*args, **kwargs)

    monkeypatch.setattr(services.maths, "opinion_map", a_vote_arrives_during_the_run)
    with django_capture_on_commit_callbacks(execute=True):
        map_recompute(conversation_id=conversation.pk)
    assert len(_queued(conversation)) == 2
    monkeypatch.setattr(services.maths, "opinion_map", opinion_map)

    with django_capture_on_commit_callbacks(execute=True):
        map_recompute(conversation_id=conversation.pk)  # the second run: nothing new
    assert len(_queued(conversation)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        _vote(conversation, member, 2)  # after the run
    assert len(_queued(conversation)) == 3


def test_the_recompute_task_computes_the_map(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    from rankandfile.opinions.tasks import opinion_map_recompute

    conversation = make_conversation()
    for member in (make_participant(conversation), make_participant(conversation)):
        _vote(conversation, member, 0)
    assert opinion_map_recompute.call(conversation.pk) == 2
    assert OpinionMapResult.objects.get(conversation=conversation).votes_count == 2


def test_a_conversation_closes_at_its_closing_time_once_and_forgets_the_member_keys(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    closes_at = timezone.now() + timedelta(hours=2)
    conversation = make_conversation(closes_at=closes_at)
    later = make_conversation(closes_at=closes_at + timedelta(days=1))
    for member in (make_participant(conversation), make_participant(conversation)):
        _vote(conversation, member, 0)
        _vote(conversation, member, 1, -1)
    assert not Participant.objects.filter(conversation=conversation, member_key=None).exists()

    assert conversations_close_due(now=closes_at - timedelta(seconds=1)) == 0
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        assert conversations_close_due(now=closes_at) == 1
    conversation.refresh_from_db()
    assert (conversation.state, conversation.closed_at) == (ConversationState.CLOSED, closes_at)
    assert not Participant.objects.filter(conversation=conversation).exclude(member_key=None)
    assert Vote.objects.filter(participant__conversation=conversation).count() == 4
    assert len(_queued(conversation)) == 1  # the final map
    later.refresh_from_db()
    assert later.state == ConversationState.OPEN

    assert conversations_close_due(now=closes_at + timedelta(minutes=1)) == 0  # runs twice
    assert close_due_task.call() == 0
