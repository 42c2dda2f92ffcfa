"""From common ground to a motion: statements that unite the groups start a draft proposal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.lib.urls import absolute_url
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import map_recompute
from rankandfile.proposals.models import Proposal, ProposalState
from tests.conversations.conftest import MakeConversation
from tests.conversations.map_helpers import COMMON_GROUND, SEEDS_WITH_COMMON_GROUND, camps_vote
from tests.personas import login_with_second_factor

pytestmark = pytest.mark.django_db

MakeParticipant = Callable[[Conversation], User]


def test_chosen_statements_become_the_text_of_a_saved_draft_proposal_linking_back(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = make_conversation(seeds=SEEDS_WITH_COMMON_GROUND)
    camps_vote(conversation, make_participant, each=5)
    map_recompute(conversation_id=conversation.pk)
    organiser = conversation.created_by
    assert organiser is not None and conversation.group is not None
    client = Client()
    login_with_second_factor(client, organiser)
    chosen = [conversation.statements.get(text=COMMON_GROUND[0]).number]

    response = client.post(
        reverse("opinions:map_to_proposal", kwargs={"conversation_id": conversation.pk}),
        {"statements": chosen},
    )

    new_url = reverse("proposals:new", kwargs={"group_slug": conversation.group.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{new_url}?prefilled=1"
    assert not Proposal.objects.exists()  # nothing is saved before the organiser saves
    form = client.get(response["Location"]).context["form"]
    title, text = form["title"].value(), form["text"].value()
    assert title == f"Common ground: {conversation.question}"
    conversation_url = absolute_url(conversation.get_absolute_url())
    assert f"]({conversation_url})" in text
    assert f"1. {COMMON_GROUND[0]} (100% of the participants who voted on it agreed" in text
    assert client.get(new_url).context["form"]["text"].value() is None  # a plain visit: empty

    saved = client.post(response["Location"], {"title": title, "text": text, "save": ""})

    proposal = Proposal.objects.get()
    assert saved["Location"] == proposal.get_absolute_url()
    assert proposal.state == ProposalState.DRAFT and proposal.group == conversation.group
    assert proposal.proposer == organiser
    assert conversation_url in proposal.text
    page = client.get(proposal.get_absolute_url()).text
    assert f'href="{conversation_url}"' in page  # the link back, rendered
    assert "prefill.proposals:new" not in client.session  # saved: forgotten
