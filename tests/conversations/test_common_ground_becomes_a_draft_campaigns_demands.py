"""From common ground to action: an organiser turns statements that unite the groups into the
demands of a draft campaign, whose explanation links back to the conversation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import Campaign, CampaignState
from rankandfile.groups.services import group_join
from rankandfile.lib.urls import absolute_url
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import conversation_create, map_recompute
from tests.conversations.conftest import MakeConversation
from tests.conversations.map_helpers import COMMON_GROUND, SEEDS_WITH_COMMON_GROUND, camps_vote
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

SESSION_KEY = "prefill.campaigns:new"  # lib.prefill's key for the campaign draft form

MakeParticipant = Callable[[Conversation], User]


def _mapped(make_conversation: MakeConversation, make_participant: MakeParticipant) -> Conversation:
    conversation = make_conversation(seeds=SEEDS_WITH_COMMON_GROUND)
    camps_vote(conversation, make_participant, each=5)
    map_recompute(conversation_id=conversation.pk)
    return conversation


def _number(conversation: Conversation, text: str) -> int:
    return conversation.statements.get(text=text).number


def _organiser_client(member: User) -> Client:
    client = Client()
    login_with_second_factor(client, member)
    return client


def _action_url(conversation: Conversation) -> str:
    return reverse("opinions:map_to_campaign", kwargs={"conversation_id": conversation.pk})


def _draft_form(demands: str, explanation: str) -> dict[str, str]:
    deadline = timezone.localtime(timezone.now() + timedelta(days=30))
    return {
        "title": "Elect every candidate",
        "target": "the party's national executive",
        "explanation": explanation,
        "demands": demands,
        "stage_count": "1",
        "stage1-title": "Withhold subscriptions",
        "stage1-deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "stage1-threshold_people": "100",
        "stage1-threshold_pounds": "",
        "stage1-options": "Cancel my direct debit",
        "stage1-action_instructions": "Cancel your direct debit.",
        "stage1-letter_template": "",
        "save": "",
    }


def test_chosen_statements_become_the_demands_of_a_saved_draft_linking_back(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    organiser = conversation.created_by
    assert organiser is not None and conversation.group is not None
    client = _organiser_client(organiser)
    chosen = [_number(conversation, COMMON_GROUND[0]), _number(conversation, COMMON_GROUND[2])]

    response = client.post(_action_url(conversation), {"statements": chosen})

    new_url = reverse("campaigns:new", kwargs={"group_slug": conversation.group.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{new_url}?prefilled=1"
    assert not Campaign.objects.exists()  # nothing is saved before the organiser saves
    form = client.get(response["Location"]).context["form"]
    demands, explanation = form["demands"].value(), form["explanation"].value()
    assert demands == f"{COMMON_GROUND[0]}\n{COMMON_GROUND[2]}"
    conversation_url = absolute_url(conversation.get_absolute_url())
    assert f"“{conversation.question}” ({conversation_url})" in explanation
    assert (
        f"“{COMMON_GROUND[0]}”: 100% of the participants who voted on it agreed, and so did a "
        "majority of every opinion group (Group A 100%, Group B 100%); group-informed "
        "consensus 0.73." in explanation
    )
    # A reload keeps the words; a plain visit to the form starts empty.
    assert client.get(response["Location"]).context["form"]["demands"].value() == demands
    assert client.get(new_url).context["form"]["demands"].value() is None

    saved = client.post(response["Location"], _draft_form(demands, explanation))

    campaign = Campaign.objects.get()
    assert saved["Location"] == reverse("campaigns:manage", kwargs={"slug": campaign.slug})
    assert campaign.state == CampaignState.DRAFT and campaign.group == conversation.group
    assert list(campaign.demands.values_list("text", flat=True)) == [
        COMMON_GROUND[0],
        COMMON_GROUND[2],
    ]
    assert conversation_url in campaign.explanation
    assert SESSION_KEY not in client.session  # saved: forgotten


def test_choosing_no_statement_asks_again_on_the_map(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    assert conversation.created_by is not None

    response = _organiser_client(conversation.created_by).post(_action_url(conversation), {})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert "Choose at least one statement to take up." in page
    assert "<svg" in page  # the map, with the form again


def test_only_statements_that_unite_the_groups_can_become_demands(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    assert conversation.created_by is not None
    divisive = _number(conversation, SEEDS_WITH_COMMON_GROUND[0])

    response = _organiser_client(conversation.created_by).post(
        _action_url(conversation), {"statements": [divisive]}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert SESSION_KEY not in response.wsgi_request.session


def test_members_who_do_not_organise_cannot_draft_from_the_map(
    make_conversation: MakeConversation,
    make_participant: MakeParticipant,
    make_member: MakeMember,
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    member = make_member(mfa=True)
    assert conversation.group is not None
    group_join(group=conversation.group, member=member)
    client = _organiser_client(member)
    number = _number(conversation, COMMON_GROUND[0])

    assert client.post(_action_url(conversation), {"statements": [number]}).status_code == 404
    # Once they see the map, it has no such form for them.
    camps_vote(conversation, make_participant, each=1, voters=[member])
    page = client.get(reverse("opinions:map", kwargs={"conversation_id": conversation.pk}))
    assert "<svg" in page.content.decode()
    assert "Draft a campaign" not in page.content.decode()


def test_a_get_goes_to_the_map(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    assert conversation.created_by is not None

    response = _organiser_client(conversation.created_by).get(_action_url(conversation))

    assert response["Location"] == reverse(
        "opinions:map", kwargs={"conversation_id": conversation.pk}
    )


def test_a_network_conversation_asks_which_of_the_organisers_groups_runs_the_campaign(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    staff = make_member(mfa=True)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    conversation = conversation_create(
        organiser=staff,
        group=None,
        question="What should the network do next?",
        seed_statements=SEEDS_WITH_COMMON_GROUND,
    )
    voters = [make_member() for _ in range(10)]
    camps_vote(conversation, lambda _: make_member(), each=5, voters=voters)
    map_recompute(conversation_id=conversation.pk)
    client = _organiser_client(staff)
    map_url = reverse("opinions:map", kwargs={"conversation_id": conversation.pk})
    number = _number(conversation, COMMON_GROUND[1])

    # Staff who organise no group are told a campaign needs one.
    assert "you organise none" in client.get(map_url).content.decode()

    group = make_group(organiser=staff, name="Leeds Left")
    page = client.get(map_url).content.decode()
    assert "Which of your groups takes them up?" in page
    assert f'<option value="{group.slug}">Leeds Left</option>' in page
    missing = client.post(_action_url(conversation), {"statements": [number]})
    assert "This field is required." in missing.content.decode()
    other = make_group()
    refused = client.post(_action_url(conversation), {"statements": [number], "group": other.slug})
    assert "Select a valid choice" in refused.content.decode()

    response = client.post(_action_url(conversation), {"statements": [number], "group": group.slug})

    new_url = reverse("campaigns:new", kwargs={"group_slug": group.slug})
    assert response["Location"] == f"{new_url}?prefilled=1"
    form = client.get(response["Location"]).context["form"]
    assert form["demands"].value() == COMMON_GROUND[1]
    # The words were for that group only.
    other_new = reverse("campaigns:new", kwargs={"group_slug": make_group(organiser=staff).slug})
    assert client.get(f"{other_new}?prefilled=1").context["form"]["demands"].value() is None


def test_an_organiser_who_has_not_used_their_second_factor_is_asked_for_it_first(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation = _mapped(make_conversation, make_participant)
    assert conversation.created_by is not None
    client = Client()
    client.force_login(conversation.created_by)  # password only

    page = client.get(reverse("opinions:map", kwargs={"conversation_id": conversation.pk}))

    content = page.content.decode()
    assert "Draft a campaign with these demands" not in content
    assert f'href="{_action_url(conversation)}">use your second factor</a>' in content
    detour = client.get(_action_url(conversation))
    assert detour.status_code == 302 and "reauthenticate" in detour["Location"]
    assert client.post(_action_url(conversation), {"statements": [8]}).status_code == 302
    assert SESSION_KEY not in client.session
