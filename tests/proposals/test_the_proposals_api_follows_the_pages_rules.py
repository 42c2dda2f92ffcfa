"""The proposals API: every route described in the schema; the pages' permissions (the group's
members only, a draft only to its proposer, writes only with a token that may write); a draft
opened, supported, amended and accepted, with its word diffs as data; comments paged, replied
to, edited within 15 minutes, deleted and reported; and the house error shapes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.models import Comment
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import MOTION, Branch, branch_make, proposal_opened

pytestmark = pytest.mark.django_db

BASE = "/api/v1/proposals"


def _client(member: User, scope: str = TokenScope.READ_WRITE) -> Client:
    _, token = api_token_create(member=member, name="phone", scope=scope)
    return Client(headers={"Authorization": f"Bearer {token}"})


def _send(client: Client, method: str, url: str, body: object = None) -> tuple[int, object]:
    data = "" if body is None else json.dumps(body)
    response = getattr(client, method)(url, data, content_type="application/json")
    content = response.content
    return response.status_code, json.loads(content) if content else None


def test_every_proposals_route_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        f"{BASE}/groups/{{group_slug}}": {"get", "post"},
        f"{BASE}/{{proposal_id}}": {"get", "put"},
        f"{BASE}/{{proposal_id}}/open": {"post"},
        f"{BASE}/{{proposal_id}}/versions": {"get"},
        f"{BASE}/{{proposal_id}}/support": {"put", "delete"},
        f"{BASE}/{{proposal_id}}/amendments": {"get", "post"},
        f"{BASE}/amendments/{{amendment_id}}/decision": {"post"},
        f"{BASE}/amendments/{{amendment_id}}/support": {"put", "delete"},
        f"{BASE}/{{proposal_id}}/comments": {"get", "post"},
        f"{BASE}/comments/{{comment_id}}": {"patch", "delete"},
        f"{BASE}/comments/{{comment_id}}/report": {"post"},
    }
    described = {p: set(ops) for p, ops in paths.items() if p.startswith(BASE)}
    assert described == expected


def _branch(make_member: MakeMember, make_group: MakeGroup) -> Branch:
    return branch_make(make_member, make_group, members=4, threshold=2)


def test_a_draft_is_seen_only_by_its_proposer_then_opened_and_supported(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = _branch(make_member, make_group)
    proposer, other = _client(branch.proposer), _client(branch.members[0])
    outsider = _client(make_member())
    group_url = f"{BASE}/groups/{branch.group.slug}"

    assert Client().get(group_url).status_code == 401
    status, draft = _send(proposer, "post", group_url, {"title": "Homes", "text": MOTION})
    assert status == 201
    assert isinstance(draft, dict)
    assert (draft["state"], draft["proposer"], draft["text"]) == (
        "draft",
        "Rosa Proposer",
        MOTION,
    )
    url = f"{BASE}/{draft['id']}"
    assert other.get(url).status_code == 404, "a draft is its proposer's only"
    assert other.get(group_url).json() == []
    assert outsider.get(group_url).status_code == 404
    assert _send(outsider, "post", group_url, {"title": "X", "text": "Y"})[0] == 404

    status, changed = _send(proposer, "put", url, {"title": "Homes for all", "text": MOTION})
    assert status == 200 and isinstance(changed, dict) and changed["title"] == "Homes for all"
    assert _send(proposer, "put", url, {"title": "", "text": MOTION})[0] == 400
    read_only = _client(branch.proposer, TokenScope.READ)
    assert _send(read_only, "post", f"{url}/open")[0] == 403
    assert _send(proposer, "put", f"{url}/support")[0] == 409, "a draft takes no support"

    status, opened = _send(proposer, "post", f"{url}/open")
    assert status == 200 and isinstance(opened, dict)
    assert (opened["state"], opened["support_threshold"]) == ("discussion", 2)
    assert _send(proposer, "post", f"{url}/open")[0] == 409
    assert _send(proposer, "put", url, {"title": "Later", "text": MOTION})[0] == 409
    assert _send(other, "put", url, {"title": "Mine", "text": MOTION})[0] == 403

    assert _send(other, "put", f"{url}/support") == (
        200,
        {"supporters": 1, "supported_by_you": True},
    )
    assert _send(other, "put", f"{url}/support")[1] == {"supporters": 1, "supported_by_you": True}
    assert other.get(url).json()["supported_by_you"] is True
    assert _send(other, "delete", f"{url}/support")[1] == {
        "supporters": 0,
        "supported_by_you": False,
    }
    assert [p["supporters"] for p in other.get(group_url).json()] == [0]
    assert outsider.get(url).status_code == 404
    assert _send(outsider, "put", f"{url}/support")[0] == 404


def test_an_amendment_is_proposed_diffed_and_accepted_only_by_the_proposer(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = _branch(make_member, make_group)
    proposal = proposal_opened(branch)
    proposer, amender = _client(branch.proposer), _client(branch.members[0])
    url = f"{BASE}/{proposal.pk}"
    amended = MOTION.replace("500", "800")

    status, amendment = _send(
        amender, "post", f"{url}/amendments", {"proposed_text": amended, "reason": "More."}
    )
    assert status == 201 and isinstance(amendment, dict)
    assert amendment["number"] == 1 and amendment["state"] == "open"
    assert {"op": "delete", "text": "500"} in amendment["diff"]
    assert {"op": "insert", "text": "800"} in amendment["diff"]
    assert "".join(r["text"] for r in amendment["diff"] if r["op"] != "delete") == amended
    assert _send(amender, "post", f"{url}/amendments", {"proposed_text": MOTION})[0] == 400
    assert _send(amender, "post", f"{url}/amendments", {"reason": "No text"})[0] == 422

    decision = f"{BASE}/amendments/{amendment['id']}/decision"
    assert _send(amender, "post", decision, {"decision": "accept"})[0] == 403
    assert _send(proposer, "post", decision, {"decision": "maybe"})[0] == 422
    support = f"{BASE}/amendments/{amendment['id']}/support"
    assert _send(amender, "put", support)[1] == {"supporters": 1, "supported_by_you": True}
    assert amender.get(f"{url}/amendments").json()[0]["supporters"] == 1
    assert _send(amender, "delete", support)[1] == {"supporters": 0, "supported_by_you": False}

    assert _send(proposer, "post", decision, {"decision": "accept"}) == (
        200,
        {"amendment": 1, "state": "accepted", "version": 2},
    )
    assert _send(proposer, "post", decision, {"decision": "reject"})[0] == 409
    assert _send(amender, "put", support)[0] == 409, "an accepted amendment is out of play"
    assert proposer.get(url).json()["text"] == amended
    versions = proposer.get(f"{url}/versions").json()
    assert [(v["number"], v["amendment"]) for v in versions] == [(1, None), (2, 1)]
    assert versions[0]["diff"] is None
    assert {"op": "insert", "text": "800"} in versions[1]["diff"]


def test_comments_are_paged_replied_edited_for_fifteen_minutes_deleted_and_reported(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    branch = _branch(make_member, make_group)
    proposal = proposal_opened(branch)
    author, replier = branch.members[0], branch.members[1]
    api, other = _client(author), _client(replier)
    url = f"{BASE}/{proposal.pk}/comments"

    status, comment = _send(api, "post", url, {"text": "Why 500?"})
    assert status == 201 and isinstance(comment, dict) and comment["parent"] is None
    status, reply = _send(other, "post", url, {"text": "Costed.", "parent": comment["id"]})
    assert status == 201 and isinstance(reply, dict) and reply["parent"] == comment["id"]
    refused = _send(api, "post", url, {"text": "Deeper.", "parent": reply["id"]})
    assert refused[0] == 400 and "one level deep" in str(refused[1])
    assert _send(api, "post", url, {"text": "Elsewhere.", "parent": 999_999})[0] == 400
    assert _send(api, "post", url, {"text": "  "})[0] == 400

    for number in range(55):
        comment_create(proposal=proposal, author=author, text=f"Point {number}.")
    with django_assert_max_num_queries(12):
        first = api.get(url).json()
    assert (first["page"], first["pages"], first["count"]) == (1, 2, 56)
    assert first["comments"][0]["replies"][0]["text"] == "Costed."
    assert api.get(f"{url}?page=2").json()["comments"][-1]["text"] == "Point 54."
    assert api.get(f"{url}?page=99").json()["page"] == 2

    mine = f"{BASE}/comments/{comment['id']}"
    assert _send(api, "patch", mine, {"text": "Why only 500?"})[1]["text"] == "Why only 500?"  # type: ignore[index]
    assert _send(other, "patch", mine, {"text": "Mine now"})[0] == 403
    Comment.objects.filter(pk=comment["id"]).update(
        created_at=proposal.opened_at - timedelta(minutes=16)  # type: ignore[operator]
    )
    assert _send(api, "patch", mine, {"text": "Too late"})[0] == 409

    assert _send(api, "post", f"{mine}/report")[0] == 400, "not one's own"
    assert _send(other, "post", f"{mine}/report") == (200, {"reported": True})
    assert _send(other, "post", f"{mine}/report") == (200, {"reported": False})
    assert _send(other, "delete", mine)[0] == 403
    assert _send(api, "delete", mine) == (204, None)
    deleted = api.get(url).json()["comments"][0]
    assert (deleted["deleted"], deleted["text"], len(deleted["replies"])) == (True, "", 1)
    assert _send(api, "patch", mine, {"text": "Back"})[0] == 409
    assert _client(make_member()).get(url).status_code == 404


def test_writes_are_rate_limited_per_member(
    settings: Settings, make_member: MakeMember, make_group: MakeGroup
) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"proposal": {"member": "3/d", "ip": "1000/d"}}
    branch = _branch(make_member, make_group)
    proposal = proposal_opened(branch)
    api = _client(branch.members[0])
    url = f"{BASE}/{proposal.pk}/comments"
    answers = [_send(api, "post", url, {"text": f"Comment {n}."})[0] for n in range(4)]
    assert answers == [201, 201, 201, 429]


def test_a_groups_proposals_are_listed_in_a_constant_number_of_queries(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    branch = _branch(make_member, make_group)
    api = _client(branch.members[0])
    url = f"{BASE}/groups/{branch.group.slug}"
    proposal_opened(branch, title="First")
    with django_assert_max_num_queries(8) as few:
        assert len(api.get(url).json()) == 1
    for number in range(10):
        proposal_opened(branch, title=f"Proposal {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(url).json()) == 11
