"""The export is a Polis open-data zip: read back by polis_export.read_export and by
``rankandfile opinion-map DIR --json`` it gives the same votes and the same consensus; it names
participants by number only; organisers may download it, everyone else once the map is
published after the close."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.opinions.models import Conversation, StatementStatus, Vote
from rankandfile.opinions.polis_export import main as opinion_map_main
from rankandfile.opinions.polis_export import read_export
from rankandfile.opinions.services import (
    conversation_close,
    conversation_settings_update,
    map_recompute,
    statement_moderate,
    statement_submit,
    vote_cast,
)
from tests.conversations.conftest import MakeConversation
from tests.personas import login_with_second_factor

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example","Click")'


def _vote_for_two_camps(
    conversation: Conversation, make_participant: Callable[[Conversation], User]
) -> list[User]:
    members = [make_participant(conversation) for _ in range(12)]
    for i, member in enumerate(members):
        for statement in conversation.statements.filter(status=StatementStatus.ACCEPTED):
            agrees = (statement.number % 2 == 0) == (i % 2 == 0)
            if statement.number == 1:
                agrees = True  # everyone agrees: a consensus statement
            value = 0 if (i + statement.number) % 5 == 0 else (1 if agrees else -1)
            vote_cast(conversation=conversation, statement=statement, member=member, value=value)
    return members


def _unzip(data: bytes, folder: Path) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_export_round_trips_through_read_export_and_the_opinion_map_command(
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conversation = make_conversation()
    organiser = conversation.created_by
    assert organiser is not None
    members = _vote_for_two_camps(conversation, make_participant)
    rejected = statement_submit(conversation=conversation, member=members[0], text=FORMULA)
    statement_moderate(statement=rejected, organiser=organiser, status=StatementStatus.REJECTED)
    conversation_close(conversation=conversation, organiser=organiser)
    conversation_settings_update(
        conversation=conversation,
        organiser=organiser,
        moderation=conversation.moderation,
        closes_at=None,
        map_published=True,
    )
    ours = map_recompute(conversation_id=conversation.pk)

    response = Client().get(reverse("opinions:export", kwargs={"conversation_id": conversation.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _unzip(response.content, tmp_path)
    assert {"comments.csv", "votes.csv"} <= files.keys()

    export = read_export(tmp_path)
    stored = sorted(
        Vote.objects.filter(participant__conversation=conversation).values_list(
            "participant__number", "statement__number", "value"
        )
    )
    assert sorted(export.votes) == stored
    assert export.moderated_out == {rejected.number}
    assert export.comments == tuple(range(9))

    comments = list(csv.DictReader(io.StringIO(files["comments.csv"])))
    assert list(comments[0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    assert {row["author-id"] for row in comments} == {""}
    assert [row["moderated"] for row in comments] == ["1"] * 8 + ["-1"]
    assert comments[-1]["comment-body"] == ""  # a rejected statement's text is left out
    assert comments[1]["agrees"] == str(
        Vote.objects.filter(
            statement__conversation=conversation, statement__number=1, value=1
        ).count()
    )
    votes = list(csv.DictReader(io.StringIO(files["votes.csv"])))
    assert list(votes[0]) == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    assert [int(row["timestamp"]) for row in votes] == list(range(len(votes)))
    assert {int(row["voter-id"]) for row in votes} == set(range(12))

    assert opinion_map_main([str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["consensus"] == ours.data["consensus"]
    assert printed["groups"] == ours.data["groups"]

    again = Client().get(reverse("opinions:export", kwargs={"conversation_id": conversation.pk}))
    assert again.content == response.content  # the same votes, the same bytes


def test_a_statement_that_looks_like_a_formula_is_escaped(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    statement_submit(conversation=conversation, member=make_participant(conversation), text=FORMULA)
    assert conversation.created_by is not None
    client = Client()
    login_with_second_factor(client, conversation.created_by)
    response = client.get(reverse("opinions:export", kwargs={"conversation_id": conversation.pk}))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        comments = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode())))
    assert comments[-1]["comment-body"] == "'" + FORMULA


def test_only_organisers_download_an_open_or_unpublished_conversation(
    make_conversation: MakeConversation, make_participant: Callable[[Conversation], User]
) -> None:
    conversation = make_conversation()
    organiser = conversation.created_by
    assert organiser is not None
    member = make_participant(conversation)
    url = reverse("opinions:export", kwargs={"conversation_id": conversation.pk})

    assert Client().get(url).status_code == 302  # log in first
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get(url).status_code == 404
    password_only = Client()
    password_only.force_login(organiser)
    assert password_only.get(url).status_code == 302  # the second factor first
    organiser_client = Client()
    login_with_second_factor(organiser_client, organiser)
    assert organiser_client.get(url).status_code == 200

    conversation_close(conversation=conversation, organiser=organiser)
    assert member_client.get(url).status_code == 404  # closed, but the map is not published
    conversation.map_published = True
    conversation.save(update_fields=["map_published"])
    assert member_client.get(url).status_code == 200
