"""``rankandfile manage opinions_import_polis DIR``: a Polis export becomes a closed conversation
(statements with their moderation, numbered anonymous participants, their latest votes) whose
map agrees with ``rankandfile opinion-map`` on the same folder; a bad folder is refused with a
clear error and imports nothing."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rankandfile.opinions.models import (
    Conversation,
    ConversationState,
    OpinionMapResult,
    Participant,
    StatementStatus,
    Vote,
)
from rankandfile.opinions.polis_export import as_json, map_of_export, read_export
from tests.personas import MakeGroup

pytestmark = pytest.mark.django_db

POLIS = Path(__file__).parent.parent / "data" / "polis"


def _import(*args: str) -> str:
    out = StringIO()
    call_command("opinions_import_polis", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "london.youth.policing"])
def test_a_polis_export_imports_with_its_counts_and_the_same_consensus(
    name: str, make_group: MakeGroup
) -> None:
    folder = POLIS / name
    group = make_group()
    output = _import(str(folder), "--group", group.slug)
    conversation = Conversation.objects.get()
    assert conversation.group == group
    assert conversation.state == ConversationState.CLOSED
    assert not conversation.map_published
    assert f"Imported conversation {conversation.pk}" in output

    export = read_export(folder)
    latest = {(p, c): v for p, c, v in export.votes}
    assert Vote.objects.count() == len(latest)
    assert Participant.objects.count() == len({p for p, _ in latest})
    assert not Participant.objects.exclude(member_key=None).exists()
    assert conversation.statements.count() == len(export.comments)
    assert set(
        conversation.statements.filter(status=StatementStatus.REJECTED).values_list(
            "number", flat=True
        )
    ) == set(export.moderated_out)
    assert not conversation.statements.exclude(author=None).exists()
    stored = set(Vote.objects.values_list("participant__number", "statement__number", "value"))
    assert stored == {(p, c, v) for (p, c), v in latest.items()}

    ours = OpinionMapResult.objects.get(conversation=conversation).data
    theirs = as_json(map_of_export(export))
    assert ours["consensus"] == theirs["consensus"]
    assert ours["consensus"]["agree"] or ours["consensus"]["disagree"]


def test_a_long_comment_is_cut_to_280_characters_and_noted(make_group: MakeGroup) -> None:
    output = _import(str(POLIS / "15-per-hour-seattle"), "--network", "--question", "$15?")
    conversation = Conversation.objects.get()
    assert conversation.group is None and conversation.question == "$15?"
    assert "is 310 characters: cut to 280" in output
    assert max(len(t) for t in conversation.statements.values_list("text", flat=True)) == 280


def test_a_bad_folder_is_refused_clearly_and_imports_nothing(
    make_group: MakeGroup, tmp_path: Path
) -> None:
    group = make_group()
    with pytest.raises(CommandError, match="no such folder"):
        _import(str(tmp_path / "missing"), "--group", group.slug)
    with pytest.raises(CommandError, match=r"no comments\.csv"):
        _import(str(tmp_path), "--group", group.slug)
    with pytest.raises(CommandError, match="No group has the slug 'nobody'"):
        _import(str(POLIS / "london.youth.policing"), "--group", "nobody")

    broken = tmp_path / "broken"
    shutil.copytree(POLIS / "london.youth.policing", broken)
    comments = (broken / "comments.csv").read_text()
    (broken / "comments.csv").write_text(comments.replace(",1,Eliminate bias", ",7,Eliminate bias"))
    with pytest.raises(CommandError, match=r"line 2: moderated is not -1, 0 or 1"):
        _import(str(broken), "--group", group.slug)
    header, _first, *rest = comments.splitlines(keepends=True)
    (broken / "comments.csv").write_text(header + "".join(rest))  # a voted comment is gone
    with pytest.raises(CommandError, match=r"which comments\.csv lacks"):
        _import(str(broken), "--group", group.slug)
    assert not Conversation.objects.exists()
