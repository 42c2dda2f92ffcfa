"""Privacy on the conversation pages (issue 17, SECURITY.md): nobody, organisers included, sees
how a named member voted or who wrote a statement; and the pages that list statements take the
same number of queries however many statements and votes there are."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import statement_submit, vote_cast
from tests.conversations.conftest import MakeConversation
from tests.personas import login_with_second_factor

MakeParticipant = Callable[[Conversation], User]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_organisers_pages_show_no_voter_and_no_author(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(moderation="pre")
    voters = [make_participant(conversation) for _ in range(3)]
    seeds = list(conversation.statements.all())
    for n, voter in enumerate(voters):
        for statement in seeds:
            vote_cast(conversation=conversation, statement=statement, member=voter, value=n - 1)
        statement_submit(conversation=conversation, member=voter, text=f"Statement by voter {n}.")
    assert conversation.created_by is not None
    client = Client()
    login_with_second_factor(client, conversation.created_by)
    pages = [
        conversation.get_absolute_url(),
        reverse("opinions:moderate", kwargs={"conversation_id": conversation.pk}),
        reverse("opinions:settings", kwargs={"conversation_id": conversation.pk}),
        reverse("opinions:list"),
    ]
    for url in pages:
        html = client.get(url).text
        for voter in voters:
            assert voter.display_name not in html, url
            assert voter.email not in html, url
        assert "You agreed." not in html and "You disagreed." not in html, url


@pytest.mark.django_db
def test_the_conversation_and_moderation_pages_take_the_same_queries_however_long(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(seeds=["One.", "Two."])
    member = make_participant(conversation)
    assert conversation.created_by is not None
    organiser = Client()
    login_with_second_factor(organiser, conversation.created_by)
    member_client = Client()
    member_client.force_login(member)
    detail = conversation.get_absolute_url()
    moderate = reverse("opinions:moderate", kwargs={"conversation_id": conversation.pk})
    vote_cast(
        conversation=conversation,
        statement=conversation.statements.get(number=0),
        member=member,
        value=1,
    )
    few = (_queries(member_client, detail), _queries(organiser, moderate))
    for n in range(6):
        statement = statement_submit(
            conversation=conversation, member=make_participant(conversation), text=f"More {n}."
        )
        vote_cast(conversation=conversation, statement=statement, member=member, value=-1)
    assert (_queries(member_client, detail), _queries(organiser, moderate)) == few
