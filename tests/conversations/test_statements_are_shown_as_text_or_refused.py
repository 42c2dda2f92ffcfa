"""A statement is plain text: script tags, event handlers and javascript: links in one reach no
page as HTML (the conversation, the moderation queue, the map), and a 1 MB statement is refused
with a clear message on the page and in the API, saving nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.opinions.models import Conversation, Statement
from rankandfile.opinions.services import map_recompute, statement_submit
from tests.conversations.conftest import MakeConversation
from tests.conversations.map_helpers import SEEDS_WITH_COMMON_GROUND, camps_vote
from tests.personas import login_with_second_factor

pytestmark = pytest.mark.django_db

MakeParticipant = Callable[[Conversation], User]

HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> "
    '<a href="javascript:alert(2)">click</a> [link](javascript:alert(3))'
)
ONE_MEGABYTE = "a" * 1_000_000


def test_a_statement_with_markup_is_shown_as_the_text_typed(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(seeds=SEEDS_WITH_COMMON_GROUND)
    organiser = conversation.created_by
    assert organiser is not None
    voters = camps_vote(conversation, make_participant, each=4)
    hostile = statement_submit(conversation=conversation, member=voters[0], text=HOSTILE)
    assert hostile.text == HOSTILE  # stored as typed: it is text, escaped wherever shown
    camps_vote(conversation, make_participant, each=4, voters=voters)
    map_recompute(conversation_id=conversation.pk)
    client = Client()
    login_with_second_factor(client, organiser)
    pages = [
        conversation.get_absolute_url(),
        reverse("opinions:moderate", kwargs={"conversation_id": conversation.pk}),
        reverse("opinions:map", kwargs={"conversation_id": conversation.pk}),
    ]
    for url in pages:
        page = client.get(url).text
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page and 'href="javascript:' not in page, url
    moderation = client.get(pages[1]).text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in moderation


def test_a_one_megabyte_statement_is_refused_with_a_clear_message(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    client = Client()
    client.force_login(member)

    page = client.post(
        reverse("opinions:write", kwargs={"conversation_id": conversation.pk}),
        {"text": ONE_MEGABYTE},
    )
    assert "at most 280 characters" in page.text

    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ_WRITE)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = api.post(
        f"/api/v1/conversations/{conversation.pk}/statements",
        {"text": ONE_MEGABYTE},
        "application/json",
    )
    assert response.status_code in {400, 422}
    assert "280" in response.text
    assert not Statement.objects.filter(is_seed=False).exists()
