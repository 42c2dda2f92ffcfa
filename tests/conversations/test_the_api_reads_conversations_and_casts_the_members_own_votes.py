"""The conversations API: authenticated, the same rules as the pages, a member's own votes read
and written, the map once the member may see it, and every route described in the schema."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.opinions.models import Conversation, Moderation, Vote
from rankandfile.opinions.services import conversation_close, map_recompute, vote_cast
from tests.conversations.conftest import MakeConversation
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _client(member: User, scope: str = TokenScope.READ_WRITE) -> Client:
    _, token = api_token_create(member=member, name="phone", scope=scope)
    return Client(headers={"Authorization": f"Bearer {token}"})


def _put(client: Client, url: str, body: object, **extra: str) -> tuple[int, object]:
    response = client.put(url, body, content_type="application/json", **extra)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_every_conversation_route_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    base = "/api/v1/conversations"
    assert {
        base,
        f"{base}/{{conversation_id}}",
        f"{base}/{{conversation_id}}/statements",
        f"{base}/{{conversation_id}}/votes",
        f"{base}/{{conversation_id}}/votes/{{number}}",
        f"{base}/{{conversation_id}}/next",
        f"{base}/{{conversation_id}}/map",
    } <= paths.keys()
    assert set(paths[f"{base}/{{conversation_id}}/statements"]) == {"get", "post"}
    assert set(paths[f"{base}/{{conversation_id}}/votes/{{number}}"]) == {"put"}


def test_a_member_reads_votes_changes_a_vote_and_writes_a_statement(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    member = make_participant(conversation)
    api = _client(member)
    base = f"/api/v1/conversations/{conversation.pk}"

    assert Client().get("/api/v1/conversations").status_code == 401
    listed = api.get("/api/v1/conversations").json()
    assert [(c["id"], c["state"], c["group"]) for c in listed] == [
        (conversation.pk, "open", conversation.group.slug if conversation.group else None)
    ]
    detail = api.get(base).json()
    assert (detail["may_take_part"], detail["may_organise"], detail["votes_cast"]) == (
        True,
        False,
        0,
    )
    statements = api.get(f"{base}/statements").json()
    assert [s["number"] for s in statements] == list(range(8))
    assert set(statements[0]) == {"number", "text", "status"}

    nxt = api.get(f"{base}/next").json()["statement"]
    assert _put(api, f"{base}/votes/{nxt['number']}", {"vote": "agree"}) == (
        200,
        {"statement": nxt["number"], "vote": "agree"},
    )
    assert api.get(f"{base}/next").json()["statement"]["number"] != nxt["number"]
    assert _put(api, f"{base}/votes/{nxt['number']}", {"vote": "disagree"})[0] == 200
    assert _put(api, f"{base}/votes/3", {"vote": "pass"})[0] == 200
    assert api.get(f"{base}/votes").json() == {str(nxt["number"]): "disagree", "3": "pass"}
    assert Vote.objects.count() == 2

    assert _put(api, f"{base}/votes/3", {"vote": "maybe"})[0] == 422
    assert _put(api, f"{base}/votes/99", {"vote": "agree"})[0] == 404
    too_long = api.post(f"{base}/statements", {"text": "x" * 281}, content_type="application/json")
    assert too_long.status_code == 400
    assert "at most 280 characters" in too_long.json()["detail"]
    nul = api.post(f"{base}/statements", {"text": "A\x00B"}, content_type="application/json")
    assert nul.json() == {"detail": "A statement cannot contain control characters."}
    written = api.post(
        f"{base}/statements", {"text": "Branches should meet monthly."}, "application/json"
    )
    assert written.status_code == 201
    assert written.json() == {
        "number": 8,
        "text": "Branches should meet monthly.",
        "status": "accepted",
    }
    assert api.get(f"{base}/votes").json()["8"] == "agree"  # writing is agreeing


def test_writes_need_a_token_that_may_write_and_a_member_of_the_group(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    make_member: MakeMember,
) -> None:
    conversation = make_conversation()
    base = f"/api/v1/conversations/{conversation.pk}"
    reader = _client(make_participant(conversation), scope=TokenScope.READ)
    assert reader.get(f"{base}/statements").status_code == 200
    assert _put(reader, f"{base}/votes/0", {"vote": "agree"})[0] == 403
    outsider = _client(make_member())
    assert outsider.get(base).status_code == 200  # a public group's conversation
    status, body = _put(outsider, f"{base}/votes/0", {"vote": "agree"})
    assert status == 403
    assert body == {"detail": "Only the group's members can take part in this conversation."}
    assert Vote.objects.count() == 0


def test_a_hidden_groups_conversation_does_not_exist_for_outsiders(
    make_conversation: MakeConversation, make_group: MakeGroup, make_member: MakeMember
) -> None:
    organiser = make_member(mfa=True)
    conversation = make_conversation(
        organiser=organiser, group=make_group(visibility="hidden", organiser=organiser)
    )
    outsider = _client(make_member())
    assert outsider.get("/api/v1/conversations").json() == []
    for route in ("", "/statements", "/votes", "/next", "/map"):
        assert outsider.get(f"/api/v1/conversations/{conversation.pk}{route}").status_code == 404


def test_organisers_also_see_statements_waiting_for_moderation(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation(moderation=Moderation.HIDDEN_UNTIL_ACCEPTED)
    member = make_participant(conversation)
    base = f"/api/v1/conversations/{conversation.pk}"
    written = _client(member).post(
        f"{base}/statements", {"text": "Hold the AGM online."}, "application/json"
    )
    assert written.json()["status"] == "pending"
    assert 8 not in [s["number"] for s in _client(member).get(f"{base}/statements").json()]
    assert conversation.created_by is not None
    organiser_view = _client(conversation.created_by).get(f"{base}/statements").json()
    assert organiser_view[-1] == {"number": 8, "text": "Hold the AGM online.", "status": "pending"}


def test_the_map_shows_after_seven_votes_and_after_close_only_once_published(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    make_member: MakeMember,
) -> None:
    conversation = make_conversation()
    base = f"/api/v1/conversations/{conversation.pk}"
    members = [make_participant(conversation) for _ in range(6)]
    statements = list(conversation.statements.order_by("number"))
    for i, member in enumerate(members):
        for statement in statements[: 6 if i == 0 else 8]:
            agrees = (statement.number % 2 == 0) == (i % 2 == 0)
            vote_cast(
                conversation=conversation,
                statement=statement,
                member=member,
                value=1 if agrees else -1,
            )
    assert conversation.created_by is not None
    organiser = _client(conversation.created_by)
    assert organiser.get(f"{base}/map").status_code == 404  # not computed yet
    map_recompute(conversation_id=conversation.pk)

    few = _client(members[0])
    refused = few.get(f"{base}/map")
    assert refused.status_code == 403
    assert "7 statements" in refused.json()["detail"]
    seen = _client(members[1]).get(f"{base}/map").json()
    assert seen["participants"] == 6
    assert sorted(p for group in seen["groups"] for p in group) == list(range(6))
    assert seen["your_group"] is not None
    assert 1 in seen["groups"][seen["your_group"]]  # the member is participant 1
    assert set(seen["consensus"]) == {"agree", "disagree"}
    assert organiser.get(f"{base}/map").json()["your_group"] is None

    conversation_close(conversation=conversation, organiser=conversation.created_by)
    assert _client(members[1]).get(f"{base}/map").status_code == 403
    assert _client(members[1]).get(f"{base}/votes").json() == {}
    assert _put(_client(members[1]), f"{base}/votes/0", {"vote": "agree"})[0] == 409
    Conversation.objects.filter(pk=conversation.pk).update(map_published=True)
    published = _client(make_member()).get(f"{base}/map").json()
    assert published["groups"] == seen["groups"] and published["your_group"] is None


def test_the_list_is_a_fixed_number_of_queries(
    make_conversation: MakeConversation, make_member: MakeMember
) -> None:
    organiser = make_member(mfa=True)
    make_conversation(organiser=organiser)
    api = _client(make_member())
    api.get("/api/v1/conversations")  # the token's first use is noted once
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/conversations").json()) == 1
    one = one.captured_queries  # now, before the next request empties the log
    for _ in range(3):
        make_conversation(organiser=organiser)
    with CaptureQueriesContext(connection) as four:
        assert len(api.get("/api/v1/conversations").json()) == 4
    assert len(four.captured_queries) == len(one) == 2  # token, conversations


def test_votes_and_statements_are_rate_limited_per_member(
    settings: Settings,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
) -> None:
    # A day's window, so that no window ends during the test (the default is ten minutes).
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"opinion": {"member": "5/d", "ip": "1000/d"}}
    conversation = make_conversation()
    api = _client(make_participant(conversation))
    base = f"/api/v1/conversations/{conversation.pk}"
    answers = [
        _put(api, f"{base}/votes/{n % 8}", {"vote": "agree"}, REMOTE_ADDR=f"10.0.0.{n}")[0]
        for n in range(7)
    ]
    assert answers == [200] * 5 + [429] * 2
    written = api.post(f"{base}/statements", {"text": "One more."}, "application/json")
    assert written.status_code == 429
    assert written.json()["detail"].startswith("Too many tries")
    assert Vote.objects.count() == 5
