"""The map page: who sees it when, where the member sits, what unites and divides the groups."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.groups.services import group_join
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import (
    conversation_close,
    conversation_settings_update,
    map_recompute,
    participant_of,
    statement_moderate,
    vote_cast,
)
from rankandfile.opinions.svg import group_name
from tests.conversations.conftest import MakeConversation
from tests.conversations.map_helpers import (
    COMMON_GROUND,
    SEEDS_WITH_COMMON_GROUND,
    camps_vote,
)
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db

MakeParticipant = Callable[[Conversation], User]


def _map_url(conversation: Conversation) -> str:
    return reverse("opinions:map", kwargs={"conversation_id": conversation.pk})


def _client(member: User | None = None) -> Client:
    client = Client()
    if member is not None:
        client.force_login(member)
    return client


def _page(member: User | None, conversation: Conversation) -> str:
    response = _client(member).get(_map_url(conversation))
    assert response.status_code == 200
    return response.content.decode()


def _voted_map(
    make_conversation: MakeConversation, make_participant: MakeParticipant, each: int = 6
) -> tuple[Conversation, list[User]]:
    conversation = make_conversation(seeds=SEEDS_WITH_COMMON_GROUND)
    voters = camps_vote(conversation, make_participant, each=each)
    map_recompute(conversation_id=conversation.pk)
    return conversation, voters


def test_a_member_sees_the_map_once_they_have_voted_on_seven_statements(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)
    member = make_participant(conversation)
    statements = list(conversation.statements.order_by("number"))
    for statement in statements[:6]:
        vote_cast(conversation=conversation, statement=statement, member=member, value=1)

    page = _page(member, conversation)
    assert "Vote on 7 statements to see the map" in page
    assert "You have voted on 6 statements: vote on 1 more" in page
    assert "<svg" not in page

    vote_cast(conversation=conversation, statement=statements[6], member=member, value=1)
    page = _page(member, conversation)
    assert "<svg" in page and 'role="img"' in page
    # Voted after the map was drawn: not placed on it yet, and told so.
    assert "You are not on the map yet" in page


def test_visitors_and_members_of_other_groups_get_no_map_of_an_open_conversation(
    make_conversation: MakeConversation,
    make_participant: MakeParticipant,
    make_member: MakeMember,
    make_group: MakeGroup,
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)
    outsider = make_member()
    group_join(group=make_group(), member=outsider)

    assert _client().get(_map_url(conversation)).status_code == 404
    assert _client(outsider).get(_map_url(conversation)).status_code == 404


def test_organisers_see_the_map_without_voting_and_are_not_placed(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)

    page = _page(conversation.created_by, conversation)

    assert "You have not voted in this conversation, so you are not on the map." in page
    assert 'class="highlight"' not in page


def test_the_member_is_told_their_group_and_their_mark_is_circled(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, voters = _voted_map(make_conversation, make_participant)
    member = voters[3]
    participant = participant_of(conversation=conversation, member=member)
    assert participant is not None
    group = conversation.map_result.data["groups"][str(participant.number)]

    page = _page(member, conversation)

    assert f"You are in {group_name(group)}." in page
    assert page.count('<g class="highlight">') == 1
    # The marks carry no participant numbers (see svg.stored_map_svg).
    assert "data-participant" not in page
    assert f'{group_name(group)} <span class="tag">You</span>' in page


def test_the_page_names_no_member(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, voters = _voted_map(make_conversation, make_participant)

    for viewer in (voters[0], conversation.created_by):
        page = _page(viewer, conversation)
        for voter in voters[1:]:
            assert voter.display_name not in page
            assert voter.email not in page
            assert f"member_id={voter.pk}" not in page
        for participant in conversation.participants.all():
            assert participant.member_key and participant.member_key not in page


def test_the_statements_that_unite_and_divide_the_groups_come_with_their_figures(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)

    page = _page(conversation.created_by, conversation)

    consensus = page[page.index('id="consensus-agree"') : page.index('id="informed"')]
    for text in COMMON_GROUND:
        assert f"“{text}”" in consensus
    assert "100% agreed, 0% disagreed" in consensus
    assert "“Nothing needs to change.”" in page[page.index('id="consensus-disagree"') :]
    divisive = page[page.index('id="divisive"') :]
    assert "“We should leave and build a new party.”" in divisive
    assert "0% <span" in divisive and "100% <span" in divisive  # one group agreed, one not
    assert "Group-informed consensus multiplies" in page
    assert "a majority of every group" in page
    # Two groups of six, each set apart by the statements of its camp.
    assert page.count('data-label="Participants" class="num">6<') == 2


def test_a_statement_rejected_after_the_map_was_drawn_is_not_shown(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)
    assert conversation.created_by is not None
    statement_moderate(
        statement=conversation.statements.get(text=COMMON_GROUND[0]),
        organiser=conversation.created_by,
        status="rejected",
    )

    assert COMMON_GROUND[0] not in _page(conversation.created_by, conversation)


def test_before_the_first_map_the_page_says_it_is_being_drawn(
    make_conversation: MakeConversation,
) -> None:
    conversation = make_conversation()

    page = _page(conversation.created_by, conversation)

    assert "The map is being drawn; it updates a few seconds after votes arrive." in page


def test_a_map_older_than_the_last_vote_says_when_it_was_drawn(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, _ = _voted_map(make_conversation, make_participant)
    assert 'id="map-stale"' not in _page(conversation.created_by, conversation)
    Conversation.objects.filter(pk=conversation.pk).update(recompute_queued=True)

    page = _page(conversation.created_by, conversation)

    drawn = conversation.map_result.computed_at
    assert "votes have arrived since: it updates a few seconds after they do" in page
    assert f"{drawn:%H:%M}" in page


def test_a_published_map_is_shown_to_everyone_after_the_close_and_places_nobody(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    conversation, voters = _voted_map(make_conversation, make_participant)
    organiser = conversation.created_by
    assert organiser is not None
    conversation_close(conversation=conversation, organiser=organiser)
    map_recompute(conversation_id=conversation.pk)

    # Not published yet: members are told so; visitors find nothing.
    assert "The map has not been published" in _page(voters[0], conversation)
    assert _client().get(_map_url(conversation)).status_code == 404

    conversation_settings_update(
        conversation=conversation,
        organiser=organiser,
        moderation=conversation.moderation,
        closes_at=None,
        map_published=True,
    )
    for viewer in (None, voters[0]):
        page = _page(viewer, conversation)
        assert "<svg" in page
        assert "nobody's place on the map is known any more, not even yours" in page
        assert 'class="highlight"' not in page


def test_the_map_page_costs_the_same_queries_however_many_voted(
    make_conversation: MakeConversation, make_participant: MakeParticipant
) -> None:
    def queries(each: int) -> int:
        conversation, voters = _voted_map(make_conversation, make_participant, each=each)
        client = _client(voters[0])
        client.get(_map_url(conversation))  # the session's first request loads more
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_map_url(conversation)).status_code == 200
        return len(captured)

    small, large = queries(4), queries(15)
    assert small == large
    # Session, member, conversation, may organise, the member's votes counted through their
    # key (who may see), the map, the statements' texts, the participant (where you sit),
    # may organise.
    assert large == 9
