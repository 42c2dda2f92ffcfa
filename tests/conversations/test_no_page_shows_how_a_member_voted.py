"""Nobody, organisers and admins included, can see how a named member voted, nor which
statement a member wrote.

A member with a known name and email votes on every statement and writes one. Every page of
the opinions app, every API route, the export and every admin page of the opinions models is
then fetched by the group's organiser, by staff with every opinions permission and by a
superuser (all with their second factor used), while the conversation is open and again after
it has closed with its map published: none shows the member's email, display name, member key,
or their id next to a vote or a statement. After the close, no row of the opinions tables
points at the member but their statement's author column (kept for their own data download).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import serializers
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from rankandfile.accounts.models import User
from rankandfile.opinions.models import Conversation, Participant, Statement, Vote
from rankandfile.opinions.services import (
    conversation_close,
    conversation_settings_update,
    map_recompute,
    member_key,
    statement_submit,
    vote_cast,
)
from tests.conversations.conftest import MakeConversation
from tests.personas import MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

NAME = "Quokka Voterperson"
EMAIL = "quokka.voterperson@example.org"
WRITTEN = "Branch funds should be audited by the members every year."


def _opinions_url_names() -> Iterator[tuple[str, URLPattern]]:
    def walk(
        patterns: list[URLPattern | URLResolver], namespace: str
    ) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "opinions":
                yield f"opinions:{pattern.name}", pattern

    yield from walk(get_resolver().url_patterns, "")


def _opinions_pages(conversation: Conversation, statement: Statement) -> list[str]:
    """Every page of the opinions app, its arguments filled in for this conversation."""
    values: dict[str, object] = {
        "conversation_id": conversation.pk,
        "statement_id": statement.pk,
        "statement_number": statement.number,
        "number": statement.number,
    }
    assert conversation.group is not None
    values |= {"group_slug": conversation.group.slug, "slug": conversation.group.slug}
    urls = []
    for name, pattern in _opinions_url_names():
        arguments = set(pattern.pattern.regex.groupindex)
        unknown = arguments - values.keys()
        assert not unknown, f"teach this test what to put in {name}'s {unknown}"
        urls.append(reverse(name, kwargs={a: values[a] for a in arguments}))
    assert reverse("opinions:export", kwargs={"conversation_id": conversation.pk}) in urls
    return urls


def _api_routes(client: Client, conversation: Conversation, statement: Statement) -> list[str]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = []
    for path, operations in paths.items():
        if "get" not in operations or not path.startswith("/api/v1/conversations"):
            continue
        routes.append(
            path.replace("{conversation_id}", str(conversation.pk)).replace(
                "{number}", str(statement.number)
            )
        )
    assert f"/api/v1/conversations/{conversation.pk}/map" in routes
    return routes


def _admin_pages(written: Statement) -> list[str]:
    """The admin's pages of every opinions model: its list, and the pages of its first row
    and of the member's statement (all rows' pages are the same template)."""
    urls = ["/admin/", "/admin/opinions/"]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label != "opinions":
            continue
        urls.append(reverse(f"admin:opinions_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        rows = {first, written.pk} if model is Statement else {first}
        for pk in rows:
            urls.append(reverse(f"admin:opinions_{meta.model_name}_change", args=[pk]))
            urls.append(reverse(f"admin:opinions_{meta.model_name}_history", args=[pk]))
    assert reverse("admin:opinions_statement_change", args=[written.pk]) in urls
    return urls


def _world(
    make_member: MakeMember,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
) -> tuple[Conversation, User, Statement, dict[str, Client]]:
    organiser = make_member(mfa=True)
    conversation = make_conversation(organiser=organiser)
    assert conversation.group is not None
    member = make_member(display_name=NAME, email=EMAIL)
    from rankandfile.groups.services import group_join

    group_join(group=conversation.group, member=member)
    written = statement_submit(conversation=conversation, member=member, text=WRITTEN)
    others = [make_participant(conversation) for _ in range(6)]
    for i, voter in enumerate([member, *others]):
        for statement in conversation.statements.order_by("number"):
            value = 1 if (statement.number + i) % 2 == 0 else -1
            vote_cast(conversation=conversation, statement=statement, member=voter, value=value)
    map_recompute(conversation_id=conversation.pk)

    staff = make_member(mfa=True)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="opinions"))
    superuser = make_member(mfa=True)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    clients = {}
    for role, person in [("organiser", organiser), ("staff", staff), ("superuser", superuser)]:
        clients[role] = Client()
        login_with_second_factor(clients[role], person)
    return conversation, member, written, clients


def _assert_nothing_names(member: User, key: str, url: str, content: str) -> None:
    for seen in (member.email, member.display_name, key):
        assert seen.lower() not in content.lower(), f"{url} shows {seen!r}"
    near = rf"\b(member|user|author|voter|participant)[_ -]?(id|pk)?[\"':= /]{{1,4}}{member.pk}\b"
    assert not re.search(near, content, re.IGNORECASE), f"{url} shows the member's id"


def _text(response: HttpResponse) -> str:
    """The page, or every file of a zip."""
    if response["Content-Type"] != "application/zip":
        return response.content.decode()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


def _assert_export_has_only_numbers(content: bytes, participants: int) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        votes = list(csv.DictReader(io.StringIO(archive.read("votes.csv").decode())))
        comments = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode())))
    assert {int(row["voter-id"]) for row in votes} == set(range(participants))
    for row in votes:
        assert row["datetime"] == ""
        assert all(re.fullmatch(r"-?\d+", row[c]) for c in ("timestamp", "comment-id", "vote"))
    assert {row["author-id"] for row in comments} == {""}


def test_no_page_api_route_export_or_admin_page_shows_how_a_member_voted(
    make_member: MakeMember,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
) -> None:
    conversation, member, written, clients = _world(
        make_member, make_conversation, make_participant
    )
    key = member_key(conversation_id=conversation.pk, member_id=member.pk)
    assert Participant.objects.filter(member_key=key).exists()  # open: the key is stored
    assert not admin.site.is_registered(Participant)
    assert not admin.site.is_registered(Vote)
    export_url = reverse("opinions:export", kwargs={"conversation_id": conversation.pk})

    for moment in ("open", "closed"):
        if moment == "closed":
            organiser = conversation.created_by
            assert organiser is not None
            conversation_close(conversation=conversation, organiser=organiser)
            conversation_settings_update(
                conversation=conversation,
                organiser=organiser,
                moderation=conversation.moderation,
                closes_at=None,
                map_published=True,
            )
            map_recompute(conversation_id=conversation.pk)
        pages = [
            *_opinions_pages(conversation, written),
            *_api_routes(clients["organiser"], conversation, written),
        ]
        for role, client in clients.items():
            for url in [*pages, *_admin_pages(written)]:
                if url.startswith("/admin/") and role == "organiser":
                    continue  # not staff: the admin is closed to them
                response = client.get(url)
                # Every admin page opens for staff and the superuser (no 403 hides a leak).
                expected = {200} if url.startswith("/admin/") else set(range(200, 500))
                assert response.status_code in expected, (moment, role, url, response.status_code)
                _assert_nothing_names(member, key, f"{moment} {role} {url}", _text(response))
            if role == "organiser" or moment == "closed":
                export = client.get(export_url)
                assert export.status_code == 200, (moment, role)
                _assert_export_has_only_numbers(export.content, participants=7)
        # The API's map opens for the organiser; statements show no author.
        response = clients["organiser"].get(f"/api/v1/conversations/{conversation.pk}/map")
        assert response.status_code == 200
        statements = clients["organiser"].get(f"/api/v1/conversations/{conversation.pk}/statements")
        assert all(set(s) == {"number", "text", "status"} for s in statements.json())


def test_after_the_close_only_the_statement_author_points_at_the_member(
    make_member: MakeMember,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
) -> None:
    conversation, member, written, _ = _world(make_member, make_conversation, make_participant)
    key = member_key(conversation_id=conversation.pk, member_id=member.pk)
    assert conversation.created_by is not None
    conversation_close(conversation=conversation, organiser=conversation.created_by)
    map_recompute(conversation_id=conversation.pk)

    pointing = []
    for model in apps.get_app_config("opinions").get_models():
        for row in model._default_manager.all():
            for field in model._meta.concrete_fields:
                value = field.value_from_object(row)
                if field.is_relation and field.related_model is User and value == member.pk:
                    pointing.append(f"{model.__name__}.{field.name}")
            text = serializers.serialize("json", [row])
            assert key not in text, f"{model.__name__} {row.pk} keeps the member key"
            assert member.email not in text and member.display_name not in text
    assert pointing == ["Statement.author"]
    assert Statement.objects.get(author=member) == written
    assert not Participant.objects.exclude(member_key=None).exists()
