"""The conversations list (open first, the viewer's only, constant queries) and the page that
starts a conversation (organisers of the group, staff for the network; input kept on errors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.groups.models import Membership
from rankandfile.groups.services import group_join
from rankandfile.opinions.models import Conversation, Statement
from rankandfile.opinions.services import conversation_close
from tests.conversations.conftest import MakeConversation
from tests.personas import MakeGroup, MakeMember, login_with_second_factor


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("opinions:list")).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_shows_open_conversations_first_with_group_and_statement_count(
    make_member: MakeMember, make_group: MakeGroup, make_conversation: MakeConversation
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(name="Leeds Left", organiser=organiser)
    closed = make_conversation(organiser=organiser, group=group, seeds=["One.", "Two."])
    conversation_close(conversation=closed, organiser=organiser)
    open_one = make_conversation(organiser=organiser, group=group, seeds=["A.", "B.", "C."])

    response = Client().get(reverse("opinions:list"))
    assert list(response.context["conversations"]) == [open_one, closed]
    assert response.context["conversations"][0].statements_count == 3
    html = response.text
    assert html.index(f'href="{open_one.get_absolute_url()}"') < html.index(
        f'href="{closed.get_absolute_url()}"'
    )
    assert "Leeds Left" in html and "3 statements" in html and "Closed" in html


@pytest.mark.django_db
def test_a_hidden_groups_conversations_are_listed_only_for_its_members(
    make_member: MakeMember, make_group: MakeGroup, make_conversation: MakeConversation
) -> None:
    organiser = make_member(mfa=True)
    hidden = make_group(visibility="hidden", organiser=organiser)
    conversation = make_conversation(organiser=organiser, group=hidden)
    outsider, member = make_member(), make_member()
    Membership.objects.create(group=hidden, member=member)  # as an accepted invitation does
    for viewer, seen in [(None, False), (outsider, False), (member, True), (organiser, True)]:
        client = Client()
        if viewer is not None:
            client.force_login(viewer)
        listed = conversation in client.get(reverse("opinions:list")).context["conversations"]
        assert listed is seen, viewer
        status = client.get(conversation.get_absolute_url()).status_code
        assert status == (200 if seen else 404), viewer


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_however_many_conversations(
    make_member: MakeMember, make_group: MakeGroup, make_conversation: MakeConversation
) -> None:
    member = make_member(mfa=True)
    client = Client()
    client.force_login(member)
    make_conversation(organiser=member, group=make_group(organiser=member))
    few = _list_queries(client)
    for _ in range(4):
        make_conversation(organiser=member, group=make_group(organiser=member))
    assert _list_queries(client) == few


@pytest.mark.django_db
def test_the_header_links_conversations_marked_current_on_its_pages(
    make_conversation: MakeConversation,
) -> None:
    conversation = make_conversation()
    header_of = lambda html: html[: html.index("</header>")]  # noqa: E731
    header = header_of(Client().get(reverse("opinions:list")).text)
    assert f'href="{reverse("opinions:list")}" aria-current="page">Conversations<' in header
    header = header_of(Client().get(conversation.get_absolute_url()).text)
    assert 'aria-current="true">Conversations<' in header


@pytest.mark.django_db
def test_an_organiser_starts_a_conversation_with_seeds_and_a_closing_time(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = f"{reverse('opinions:new')}?group={group.slug}"
    assert client.get(url).status_code == 200
    closes = timezone.localtime() + timedelta(days=7)
    response = client.post(
        url,
        {
            "question": "Stay and fight, or leave and build?",
            "description": "Our branch decides in May.",
            "seed_statements": "Stay and fight.\n\n  Leave and build.  \n",
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "moderation": "pre",
        },
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    assert conversation.group == group and conversation.moderation == "pre"
    assert conversation.closes_at is not None
    assert timezone.localtime(conversation.closes_at).strftime("%H:%M") == closes.strftime("%H:%M")
    assert list(Statement.objects.values_list("text", "status")) == [
        ("Stay and fight.", "accepted"),
        ("Leave and build.", "accepted"),
    ]


@pytest.mark.django_db
def test_a_refused_conversation_keeps_what_was_typed_and_shows_the_error_summary(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"{reverse('opinions:new')}?group={group.slug}",
        {
            "question": "Stay or go?",
            "seed_statements": "Stay.\nGo.",
            "closes_at": past,
            "moderation": "post",
        },
    )
    assert response.status_code == 400
    assert "data-error-summary" in response.text
    assert "The closing time must be in the future." in response.text
    assert 'value="Stay or go?"' in response.text
    assert "Stay.\nGo.</textarea>" in response.text
    assert not Conversation.objects.exists()


@pytest.mark.django_db
def test_only_organisers_start_a_groups_conversation_and_only_staff_the_networks(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    member = make_member(mfa=True)
    group_join(group=group, member=member)
    client = Client()
    login_with_second_factor(client, member)
    assert client.get(f"{reverse('opinions:new')}?group={group.slug}").status_code == 404
    assert client.get(reverse("opinions:new")).status_code == 404
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    assert client.get(reverse("opinions:new")).status_code == 200
    # Without the second factor in this session, an organiser page asks for it first.
    plain = Client()
    plain.force_login(member)
    assert plain.get(reverse("opinions:new")).status_code == 302


@pytest.mark.django_db
def test_a_groups_page_lists_its_conversations_to_members_and_offers_organisers_to_start_one(
    make_member: MakeMember, make_group: MakeGroup, make_conversation: MakeConversation
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    conversation = make_conversation(organiser=organiser, group=group)
    member = make_member()
    group_join(group=group, member=member)
    start = f"{reverse('opinions:new')}?group={group.slug}"
    for viewer, sees, starts in [
        (None, False, False),
        (member, True, False),
        (organiser, True, True),
    ]:
        client = Client()
        if viewer is not None:
            client.force_login(viewer)
        html = client.get(group.get_absolute_url()).text
        assert (conversation.get_absolute_url() in html) is sees, viewer
        assert (start in html) is starts, viewer
