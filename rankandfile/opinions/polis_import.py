"""Read a Polis open-data export folder for importing it as a closed conversation. No Django here.

The votes come from ``polis_export.read_export`` (``votes.csv``, or the matrix of
``participants-votes.csv``), each participant's latest vote on each comment kept, in the order
Polis recorded them. The comments come with their text and moderation from ``comments.csv``:
- ``moderated`` 1 is accepted and -1 rejected; 0 (never moderated) is also accepted, because
  Polis showed unmoderated comments to voters (unless the conversation used strict moderation)
  and its maths counts them, as ``rankandfile opinion-map`` does;
- a text is made to fit our statements: control characters dropped, whitespace folded, cut
  to 280 characters (with "…"), a placeholder for an empty one, and a comment whose text
  repeats an earlier one's gets its number appended. Cuts and changes are listed in ``notes``.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rankandfile.opinions.polis_export import ExportError, read_export

STATEMENT_LONGEST = 280  # as models.STATEMENT_LONGEST (this module does not import Django)
QUESTION_LONGEST = 200
STATUS_OF_MODERATED = {"1": "accepted", "0": "accepted", "-1": "rejected"}


@dataclass(frozen=True)
class PolisConversation:
    topic: str
    statements: tuple[tuple[int, str, str], ...]  # (number, text, status)
    votes: tuple[tuple[int, int, int], ...]  # (participant, statement, value), latest only
    notes: tuple[str, ...]


def _fit(number: int, body: str, seen: set[str], notes: list[str]) -> str:
    text = " ".join(
        "".join(c for c in body if unicodedata.category(c) != "Cc" or c.isspace()).split()
    )
    if not text:
        notes.append(f"comment {number} has no text: imported as a placeholder")
        text = f"(comment {number} had no text)"
    if len(text) > STATEMENT_LONGEST:
        notes.append(f"comment {number} is {len(text)} characters: cut to {STATEMENT_LONGEST}")
        text = text[: STATEMENT_LONGEST - 1].rstrip() + "…"
    if text in seen:
        notes.append(f"comment {number} repeats an earlier comment: its number is appended")
        suffix = f" (comment {number})"
        text = text[: STATEMENT_LONGEST - len(suffix)] + suffix
    seen.add(text)
    return text


def _statements(folder: Path, notes: list[str]) -> tuple[tuple[int, str, str], ...]:
    path = folder / "comments.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"comment-id", "moderated", "comment-body"} - set(reader.fieldnames or ())
        if missing:
            raise ExportError(f"{path}: no column {', '.join(sorted(missing))}")
        rows = list(reader)
    statements: dict[int, tuple[str, str]] = {}
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        try:
            number = int(row["comment-id"])
        except ValueError:
            raise ExportError(f"{path}, line {line}: comment-id is not a number") from None
        if number < 0 or number in statements:
            raise ExportError(f"{path}, line {line}: comment-id {number} is negative or repeated")
        status = STATUS_OF_MODERATED.get(row["moderated"].strip())
        if status is None:
            raise ExportError(f"{path}, line {line}: moderated is not -1, 0 or 1")
        statements[number] = (row["comment-body"], status)
    return tuple(
        (number, _fit(number, body, seen, notes), status)
        for number, (body, status) in sorted(statements.items())
    )


def read_polis_folder(folder: Path) -> PolisConversation:
    """Everything to import from ``folder``; raises ExportError (a message to show) when the
    folder is not a readable Polis export."""
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    notes: list[str] = []
    try:
        export = read_export(folder)
        statements = _statements(folder, notes)
    except (KeyError, ValueError, csv.Error, UnicodeDecodeError) as error:
        if isinstance(error, ExportError):
            raise
        raise ExportError(f"{folder}: not a readable Polis export ({error!r})") from None
    numbers = {number for number, _, _ in statements}
    latest: dict[tuple[int, int], int] = {}
    for participant, comment, value in export.votes:
        if comment not in numbers:
            raise ExportError(f"{folder}: a vote on comment {comment}, which comments.csv lacks")
        if value not in (-1, 0, 1) or participant < 0:
            raise ExportError(f"{folder}: a vote of {value} by participant {participant}")
        latest[participant, comment] = value
    votes = tuple(sorted((p, c, v) for (p, c), v in latest.items()))
    return PolisConversation(_topic(folder), statements, votes, tuple(notes))


def _topic(folder: Path) -> str:
    """The conversation's topic from summary.csv, or the folder's name."""
    summary = folder / "summary.csv"
    if summary.exists():
        with summary.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0] == "topic" and row[1].strip():
                    return " ".join(row[1].split())[:QUESTION_LONGEST]
    return folder.resolve().name[:QUESTION_LONGEST]
