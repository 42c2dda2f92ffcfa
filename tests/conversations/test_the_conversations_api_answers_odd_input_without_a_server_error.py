"""Every route of the conversations API, read from the OpenAPI description, answers odd path
values and bodies with a 4xx, never a server error."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.opinions.models import Conversation
from tests.conversations.conftest import MakeConversation

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["0", "-1", "2147483648", str(2**63), str(2**70), "1e3", "abc", "%00", "%F0%9F%99%82"]
ODD_BODIES: list[object] = [
    None,
    "",
    "not json",
    [],
    {},
    {"vote": None},
    {"vote": 1},
    {"vote": "AGREE"},
    {"vote": "agree", "extra": True},
    {"text": None},
    {"text": ""},
    {"text": " \n\t "},
    {"text": "x" * 100_000},
    {"text": "\x00"},
    {"text": ["a list"]},
]


def test_odd_input_gets_a_client_error_never_a_server_error(
    settings: Settings,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        "opinion": {"member": "10000/d", "ip": "10000/d"}
    }
    conversation = make_conversation()
    _, token = api_token_create(
        member=make_participant(conversation), name="fuzz", scope=TokenScope.READ_WRITE
    )
    client = Client(headers={"Authorization": f"Bearer {token}"})
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/conversations")}
    assert len(routes) == 7
    answered = set()

    def ask(method: str, path: str, conversation_id: str, number: str, body: object) -> None:
        url = path.replace("{conversation_id}", conversation_id).replace("{number}", number)
        if method == "get":
            response = client.get(url)
        else:
            data = body if isinstance(body, str) or body is None else json.dumps(body)
            response = getattr(client, method)(url, data or "", content_type="application/json")
        assert response.status_code < 500, (method, url, body)
        answered.add(response.status_code)

    for path, operations in routes.items():
        for method in operations:
            for odd in ODD_NUMBERS:
                ask(method, path, odd, "0", {"vote": "agree", "text": "Odd."})
                ask(method, path, str(conversation.pk), odd, {"vote": "agree"})
            if method in {"post", "put"}:
                for body in ODD_BODIES:
                    ask(method, path, str(conversation.pk), "0", body)
    assert {200, 400, 404, 422} <= answered
