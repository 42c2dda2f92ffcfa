"""The organisers' pages of a conversation: the moderation queue (waiting statements first,
never an author), the settings, and closing after a confirmation. Second factor required."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.groups.services import group_join
from rankandfile.opinions.models import Conversation, Statement
from rankandfile.opinions.services import next_statement_for, statement_submit, vote_cast
from tests.conversations.conftest import MakeConversation
from tests.personas import MakeMember, login_with_second_factor

MakeParticipant = Callable[[Conversation], User]


def _organiser_client(conversation: Conversation) -> Client:
    assert conversation.created_by is not None
    client = Client()
    login_with_second_factor(client, conversation.created_by)
    return client


def _url(name: str, conversation: Conversation, **more: int) -> str:
    return reverse(f"opinions:{name}", kwargs={"conversation_id": conversation.pk, **more})


@pytest.mark.django_db
def test_the_queue_lists_waiting_statements_first_and_never_their_authors(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(moderation="pre")
    writer = make_participant(conversation)
    waiting = statement_submit(
        conversation=conversation, member=writer, text="Hold a recall ballot."
    )
    response = _organiser_client(conversation).get(_url("moderate", conversation))
    assert response.status_code == 200
    statements = list(response.context["statements"])
    assert statements[0] == waiting and len(statements) == conversation.statements.count()
    assert "1 statement waiting for you" in response.text
    assert "Waiting for moderation" in response.text
    assert writer.display_name not in response.text and writer.email not in response.text


@pytest.mark.django_db
def test_accepting_a_statement_puts_it_to_the_members_and_rejecting_takes_it_away(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(moderation="pre", seeds=["Stay."])
    member = make_participant(conversation)
    waiting = statement_submit(conversation=conversation, member=member, text="Go.")
    other = make_participant(conversation)
    stay = conversation.statements.get(text="Stay.")
    vote_cast(conversation=conversation, statement=stay, member=other, value=1)
    assert next_statement_for(conversation=conversation, member=other) is None
    client = _organiser_client(conversation)
    url = _url("moderate_statement", conversation, statement_id=waiting.pk)
    response = client.post(url, {"status": "accepted", "back": "page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"{_url('moderate', conversation)}?page=1#statement-{waiting.pk}"
    waiting.refresh_from_db()
    assert waiting.status == "accepted"
    assert next_statement_for(conversation=conversation, member=other) == waiting
    assert "Go." in Client().get(conversation.get_absolute_url()).text

    client.post(url, {"status": "rejected"})
    waiting.refresh_from_db()
    assert waiting.status == "rejected"
    assert "Go." not in Client().get(conversation.get_absolute_url()).text
    client.post(url, {"status": "pending"})  # not a decision
    waiting.refresh_from_db()
    assert waiting.status == "rejected"


@pytest.mark.django_db
def test_organiser_pages_are_hidden_from_members_and_ask_organisers_for_their_second_factor(
    make_member: MakeMember,
    make_conversation: MakeConversation,
    make_participant: MakeParticipant,
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    member_client = Client()
    member_client.force_login(member)
    statement = conversation.statements.get(number=0)
    for name in ("moderate", "settings"):
        # a member without a second factor is sent to set one up; with one, the page is 404
        assert member_client.get(_url(name, conversation)).status_code == 302
    mfa_member = make_member(mfa=True)
    assert conversation.group is not None
    group_join(group=conversation.group, member=mfa_member)
    client = Client()
    login_with_second_factor(client, mfa_member)
    for name in ("moderate", "settings"):
        assert client.get(_url(name, conversation)).status_code == 404
    response = client.post(
        _url("moderate_statement", conversation, statement_id=statement.pk), {"status": "rejected"}
    )
    assert response.status_code == 404
    assert client.post(_url("close", conversation), {"confirmed": "yes"}).status_code == 404
    statement.refresh_from_db()
    assert statement.status == "accepted"
    conversation.refresh_from_db()
    assert conversation.is_open

    assert conversation.created_by is not None
    organiser_without_factor = Client()
    organiser_without_factor.force_login(conversation.created_by)
    assert organiser_without_factor.get(_url("moderate", conversation)).status_code == 302


@pytest.mark.django_db
def test_settings_change_moderation_and_publish_the_map_and_keep_input_on_errors(
    make_conversation: MakeConversation,
) -> None:
    conversation = make_conversation()
    client = _organiser_client(conversation)
    assert client.get(_url("settings", conversation)).status_code == 200
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("settings", conversation),
        {"moderation": "pre", "closes_at": past, "map_published": "on"},
    )
    assert response.status_code == 400
    assert "The closing time must be in the future." in response.text
    assert f'value="{past}"' in response.text
    conversation.refresh_from_db()
    assert conversation.moderation == "post" and not conversation.map_published

    later = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("settings", conversation),
        {"moderation": "pre", "closes_at": later, "map_published": "on"},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.moderation == "pre" and conversation.map_published
    assert conversation.closes_at is not None


@pytest.mark.django_db
def test_closing_asks_first_then_closes_and_a_published_map_opens_to_everyone(
    make_conversation: MakeConversation,
) -> None:
    conversation = make_conversation()
    client = _organiser_client(conversation)
    html = client.get(conversation.get_absolute_url()).text
    assert _url("close", conversation) in html
    response = client.post(_url("close", conversation))
    assert response.status_code == 200
    assert "Close “Stay and fight, or leave and build?” now?" in response.text
    assert 'name="confirmed" value="yes"' in response.text
    conversation.refresh_from_db()
    assert conversation.is_open

    response = client.post(_url("close", conversation), {"confirmed": "yes"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert not conversation.is_open
    map_url = _url("map", conversation)
    assert map_url not in Client().get(conversation.get_absolute_url()).text

    client.post(_url("settings", conversation), {"moderation": "post", "map_published": "on"})
    conversation.refresh_from_db()
    assert conversation.map_published
    assert map_url in Client().get(conversation.get_absolute_url()).text


@pytest.mark.django_db
def test_a_statement_from_another_conversation_cannot_be_moderated_through_this_one(
    make_conversation: MakeConversation,
) -> None:
    conversation = make_conversation()
    assert conversation.created_by is not None
    other = make_conversation(organiser=conversation.created_by, seeds=["Elsewhere."])
    statement = Statement.objects.get(conversation=other)
    client = _organiser_client(conversation)
    url = _url("moderate_statement", conversation, statement_id=statement.pk)
    assert client.post(url, {"status": "rejected"}).status_code == 404
