"""Every route of the nominations API, read from the OpenAPI description, answers odd path
values and bodies with a 4xx, never a server error."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.nominations import nomination_create
from tests.nominations.nomination_helpers import branch_with_nominations
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["0", "-1", "2147483648", str(2**63), str(2**70), "1e3", "abc", "%00", "%F0%9F%99%82"]
ODD_BODIES: list[object] = [
    None,
    "",
    "not json",
    [],
    {},
    {"nominee_id": None},
    {"nominee_id": "abc"},
    {"nominee_id": 2**63},
    {"nominee_id": 2**70},
    {"nominee_id": -1},
    {"statement": None},
    {"statement": ""},
    {"statement": " \n\t "},
    {"statement": "x" * 100_000},
    {"statement": "\x00"},
    {"statement": ["a list"]},
]


def test_odd_input_gets_a_client_error_never_a_server_error(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    _, token = api_token_create(member=b, name="fuzz", scope=TokenScope.READ_WRITE)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/ballots/nominations")}
    assert len(routes) == 5
    answered = set()

    def ask(method: str, path: str, period_id: str, nomination_id: str, body: object) -> None:
        url = path.replace("{period_id}", period_id).replace("{nomination_id}", nomination_id)
        if method == "get":
            response = client.get(url)
        else:
            data = body if isinstance(body, str) or body is None else json.dumps(body)
            response = getattr(client, method)(url, data or "", content_type="application/json")
        assert response.status_code < 500, (method, url, body)
        answered.add(response.status_code)

    period, own = str(branch.period.pk), str(nomination.pk)
    for path, operations in routes.items():
        for method in operations:
            for odd in ODD_NUMBERS:
                ask(method, path, odd, own, {"nominee_id": a.pk, "statement": "Odd."})
                ask(method, path, period, odd, {"statement": "Odd."})
            if method in {"post", "put"}:
                for body in ODD_BODIES:
                    ask(method, path, period, own, body)
    assert {200, 400, 404, 422} <= answered
