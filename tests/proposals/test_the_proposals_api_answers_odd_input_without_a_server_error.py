"""Every route of the proposals API, read from the OpenAPI description, answers odd path values
and bodies with a 4xx, never a server error."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.services import amendment_propose
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import MOTION, branch_make, proposal_opened

pytestmark = pytest.mark.django_db

ODD_IDS = ["0", "-1", "2147483648", str(2**63), str(2**70), "1e3", "abc", "%00", "%F0%9F%99%82"]
ODD_SLUGS = ["nope", "-", "a" * 300, "%00", "%F0%9F%99%82"]
ODD_BODIES: list[object] = [
    None,
    "",
    "not json",
    [],
    {},
    {"title": None, "text": None},
    {"title": "x" * 10_000, "text": "Build."},
    {"title": "\x00", "text": "\x00"},
    {"title": "Homes", "text": "x" * 1_100_000},
    {"title": ["a list"], "text": {"a": "dict"}},
    {"text": ""},
    {"text": " \n\t "},
    {"text": "\x00"},
    {"text": "x" * 100_000},
    {"text": "Reply.", "parent": 0},
    {"text": "Reply.", "parent": -1},
    {"text": "Reply.", "parent": 2**70},
    {"text": "Reply.", "parent": "abc"},
    {"proposed_text": None},
    {"proposed_text": "\x00", "reason": "\x00"},
    {"proposed_text": "x" * 1_100_000},
    {"proposed_text": "Build more.", "reason": "x" * 100_000},
    {"decision": None},
    {"decision": "ACCEPT"},
    {"decision": "accept", "extra": True},
]


def test_odd_input_gets_a_client_error_never_a_server_error(
    settings: Settings, make_member: MakeMember, make_group: MakeGroup
) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        "proposal": {"member": "100000/d", "ip": "100000/d"}
    }
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    amendment = amendment_propose(
        proposal=proposal, author=branch.members[0], proposed_text=MOTION.replace("500", "800")
    )
    comment = comment_create(proposal=proposal, author=branch.proposer, text="First.")
    _, token = api_token_create(member=branch.proposer, name="fuzz", scope=TokenScope.READ_WRITE)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/proposals")}
    assert len(routes) == 11
    good = {
        "{group_slug}": branch.group.slug,
        "{proposal_id}": str(proposal.pk),
        "{amendment_id}": str(amendment.pk),
        "{comment_id}": str(comment.pk),
    }
    answered = set()

    def ask(method: str, path: str, values: dict[str, str], body: object) -> None:
        url = path
        for name, value in values.items():
            url = url.replace(name, value)
        if method == "get":
            response = client.get(url)
        else:
            data = body if isinstance(body, str) or body is None else json.dumps(body)
            response = getattr(client, method)(url, data or "", content_type="application/json")
        assert response.status_code < 500, (method, url, body)
        answered.add(response.status_code)

    for path, operations in routes.items():
        for method in operations:
            for name in good:
                if name not in path:
                    continue
                odd_values = ODD_SLUGS if name == "{group_slug}" else ODD_IDS
                for odd in odd_values:
                    ask(method, path, good | {name: odd}, {"text": "Odd.", "title": "Odd"})
            if method in {"post", "put", "patch"}:
                for body in ODD_BODIES:
                    ask(method, path, good, body)
    assert {200, 400, 404, 409, 422} <= answered
