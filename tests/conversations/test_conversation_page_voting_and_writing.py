"""The conversation page: who sees what, voting one statement at a time (plain form or htmx),
changing a vote, writing a statement under each moderation mode, and a closed conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.opinions.models import Conversation, Statement, Vote
from rankandfile.opinions.services import (
    conversation_close,
    statement_submit,
    vote_cast,
    votes_of,
)
from tests.conversations.conftest import SEEDS, MakeConversation
from tests.personas import MakeMember

MakeParticipant = Callable[[Conversation], User]


def _client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _vote_url(conversation: Conversation) -> str:
    return reverse("opinions:vote", kwargs={"conversation_id": conversation.pk})


def _write_url(conversation: Conversation) -> str:
    return reverse("opinions:write", kwargs={"conversation_id": conversation.pk})


@pytest.mark.django_db
def test_anonymous_visitors_see_the_accepted_statements_and_a_log_in_link(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(moderation="pre")
    writer = make_participant(conversation)
    statement_submit(conversation=conversation, member=writer, text="Waiting for moderation.")
    html = Client().get(conversation.get_absolute_url()).text
    assert conversation.question in html
    assert all(seed.replace("'", "&#x27;") in html for seed in SEEDS)
    assert "Waiting for moderation." not in html
    assert "Log in to take part" in html
    assert _vote_url(conversation) not in html
    assert writer.display_name not in html


@pytest.mark.django_db
def test_a_member_of_another_group_is_asked_to_join_and_cannot_vote(
    make_member: MakeMember, make_conversation: MakeConversation
) -> None:
    conversation = make_conversation()
    client = _client(make_member())
    html = client.get(conversation.get_absolute_url()).text
    assert "Join the group to take part" in html
    assert _vote_url(conversation) not in html
    statement = conversation.statements.first()
    assert statement is not None
    response = client.post(_vote_url(conversation), {"statement": statement.pk, "value": 1})
    assert response.status_code == 302
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_a_member_votes_on_one_statement_at_a_time_and_sees_their_progress(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    response = client.get(conversation.get_absolute_url())
    first = response.context["statement"]
    assert first is not None
    assert f"You have voted on 0 of {len(SEEDS)} statements" in response.text
    assert "7 more to go" in response.text

    response = client.post(_vote_url(conversation), {"statement": first.pk, "value": -1})
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url() + "#vote-card"
    assert votes_of(conversation=conversation, member=member) == {first.pk: -1}

    response = client.get(conversation.get_absolute_url())
    assert "Vote recorded." in response.text
    assert response.context["statement"] != first
    assert f"You have voted on 1 of {len(SEEDS)} statements" in response.text
    assert response.context["own_votes"] == [(first, -1, "disagreed")]


@pytest.mark.django_db
def test_with_htmx_the_card_alone_comes_back_with_the_next_statement_and_the_live_words(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    first = client.get(conversation.get_absolute_url()).context["statement"]
    response = client.post(
        _vote_url(conversation), {"statement": first.pk, "value": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<section class="card vote-card" id="vote-card"')
    assert "<h1" not in html and "site-header" not in html
    assert first.text not in html[: html.index('id="own-votes"')]  # the next statement shows
    assert "data-focus-on-swap" in html
    assert 'id="own-votes" hx-swap-oob="true"' in html
    assert 'id="vote-status"' in html and 'hx-swap-oob="innerHTML"' in html
    assert f"Vote recorded. You have voted on 1 of {len(SEEDS)}." in html


@pytest.mark.django_db
def test_a_member_changes_a_vote_from_their_list_of_votes(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    statement = conversation.statements.get(number=3)
    vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    client = _client(member)
    html = client.get(conversation.get_absolute_url()).text
    assert "You agreed." in html and "Change to disagree" in html and "Change to agree" not in html
    response = client.post(
        _vote_url(conversation), {"statement": statement.pk, "value": 0, "from": "your-votes"}
    )
    assert response["Location"].endswith("#your-votes")
    assert votes_of(conversation=conversation, member=member) == {statement.pk: 0}
    assert Vote.objects.count() == 1


@pytest.mark.django_db
def test_only_the_members_own_votes_are_listed(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member, other = make_participant(conversation), make_participant(conversation)
    statement = conversation.statements.get(number=0)
    vote_cast(conversation=conversation, statement=statement, member=other, value=-1)
    response = _client(member).get(conversation.get_absolute_url())
    assert response.context["own_votes"] == []
    assert "You have not voted yet." in response.text
    assert "You disagreed." not in response.text


@pytest.mark.django_db
def test_the_map_link_appears_once_the_member_has_voted_on_seven_statements(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    map_url = reverse("opinions:map", kwargs={"conversation_id": conversation.pk})
    client = _client(member)
    for number in range(6):
        statement = conversation.statements.get(number=number)
        vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    html = client.get(conversation.get_absolute_url()).text
    assert map_url not in html and "1 more to go" in html
    statement = conversation.statements.get(number=6)
    vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    assert map_url in client.get(conversation.get_absolute_url()).text


@pytest.mark.django_db
def test_a_statement_is_shown_at_once_when_accepted_unless_rejected(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    assert "Your statement is shown at once" in client.get(conversation.get_absolute_url()).text
    response = client.post(_write_url(conversation), {"text": "  We should   ballot members.  "})
    assert response.status_code == 302
    statement = Statement.objects.get(text="We should ballot members.")
    assert statement.status == "accepted"
    html = Client().get(conversation.get_absolute_url()).text
    assert "We should ballot members." in html
    assert member.display_name not in html


@pytest.mark.django_db
def test_a_statement_waits_for_an_organiser_when_hidden_until_accepted(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(moderation="pre")
    member = make_participant(conversation)
    client = _client(member)
    page = client.get(conversation.get_absolute_url()).text
    assert "Your statement is shown after an organiser accepts it." in page
    response = client.post(
        _write_url(conversation), {"text": "Hold a special conference."}, follow=True
    )
    assert "will be shown once an organiser accepts it" in response.text
    assert Statement.objects.get(text="Hold a special conference.").status == "pending"
    assert "Hold a special conference." not in Client().get(conversation.get_absolute_url()).text


@pytest.mark.django_db
def test_a_too_long_statement_is_refused_and_kept_to_shorten(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    client = _client(make_participant(conversation))
    text = "Too long. " * 30
    response = client.post(_write_url(conversation), {"text": text})
    assert response.status_code == 200
    assert "data-error-summary" in response.text
    assert "at most 280 characters; this one has 299" in response.text
    assert text in response.text  # nothing typed is lost
    assert 'data-count-for="id_text"' in response.text
    assert not Statement.objects.filter(text__startswith="Too long").exists()


@pytest.mark.django_db
def test_a_closed_conversation_takes_no_votes_and_no_statements(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    statement = conversation.statements.get(number=0)
    vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    assert conversation.created_by is not None
    conversation_close(conversation=conversation, organiser=conversation.created_by)
    client = _client(member)
    html = client.get(conversation.get_absolute_url()).text
    assert "This conversation has closed" in html
    assert _vote_url(conversation) not in html and _write_url(conversation) not in html
    response = client.post(
        _vote_url(conversation), {"statement": statement.pk, "value": -1}, follow=True
    )
    assert "The conversation has closed." in response.text
    assert list(Vote.objects.values_list("value", flat=True)) == [1]
    client.post(_write_url(conversation), {"text": "Too late."})
    assert not Statement.objects.filter(text="Too late.").exists()


@pytest.mark.django_db
def test_a_vote_on_a_statement_rejected_meanwhile_says_so_in_the_card(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    shown = client.get(conversation.get_absolute_url()).context["statement"]
    Statement.objects.filter(pk=shown.pk).update(status="rejected")
    response = client.post(
        _vote_url(conversation), {"statement": shown.pk, "value": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "That statement is not open for votes." in response.text
    assert shown.text not in response.text  # the card moves on to a statement still open
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_votes_and_statements_from_the_page_share_the_opinion_rate_limit(
    settings: Any,
    make_conversation: MakeConversation,
    make_participant: MakeParticipant,
) -> None:
    # A day's window, so that no window ends during the test (the default is ten minutes).
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"opinion": {"member": "3/d", "ip": "1000/d"}}
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    statements = list(conversation.statements.order_by("number")[:4])
    for statement in statements:
        client.post(_vote_url(conversation), {"statement": statement.pk, "value": 1})
    assert len(votes_of(conversation=conversation, member=member)) == 3
    response = client.post(_write_url(conversation), {"text": "One statement more."})
    assert "Too many tries" in response.text
    assert response.context["statement_form"]["text"].value() == "One statement more."
    assert not Statement.objects.filter(text="One statement more.").exists()


@pytest.mark.django_db
def test_the_conversation_page_takes_as_many_queries_after_many_votes_as_after_one(
    make_conversation: MakeConversation,
    make_participant: MakeParticipant,
) -> None:
    # The vote card finds the member's votes, their next statement and whether they may see
    # the map each in one query through their key, never by looking their participant up
    # once per question.
    conversation = make_conversation()
    member = make_participant(conversation)
    client = _client(member)
    statements = list(conversation.statements.order_by("number"))
    vote_cast(conversation=conversation, statement=statements[0], member=member, value=1)
    client.get(conversation.get_absolute_url())  # the session and the site warm up
    with CaptureQueriesContext(connection) as after_one:
        client.get(conversation.get_absolute_url())
    after_one = after_one.captured_queries  # now, before the next request empties the log
    for statement in statements[1:]:
        vote_cast(conversation=conversation, statement=statement, member=member, value=-1)
    with CaptureQueriesContext(connection) as after_all:
        response = client.get(conversation.get_absolute_url())
    assert response.status_code == 200
    assert len(after_all.captured_queries) == len(after_one)
    assert len(after_all.captured_queries) <= 10
