"""A conversation as a Polis open-data export (compdemocracy/openData): a zip of
``comments.csv`` and ``votes.csv`` that ``rankandfile opinion-map DIR`` (and Polis's own tools)
read, so that anyone can recompute the map.

It names participants only by their numbers, as Polis does:
- ``author-id`` is always empty. Polis gives the author's participant number; we do not, since
  a statement's wording next to its author's votes makes them easier to attribute (and after
  the close the platform itself no longer knows which participant wrote which statement).
- Our votes are stored without a time (so that their timing cannot identify a voter), so
  ``timestamp`` is an ordinal: the row's position in the file (0, 1, 2...), votes ordered by
  participant number then statement number, statements by number; ``datetime`` is empty.
  Readers that order votes by ``timestamp`` (as ``polis_export.read_export`` does) thus read
  them in the file's order, and each participant has one vote per statement (the latest).
- ``moderated``: 1 accepted or meta, -1 rejected, 0 waiting for moderation. The text of a
  rejected or waiting statement is left out (an empty ``comment-body``): it was never shown to
  the members, and a statement is rejected for what it says.
- A ``comment-body`` that a spreadsheet would run as a formula is written with a leading
  apostrophe (``counting.recount.csv_cell_escape``).
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.db.models import Count, Q

from rankandfile.counting.recount import csv_cell_escape
from rankandfile.opinions.models import VOTABLE, Conversation, StatementStatus, Vote

COMMENTS_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTES_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
MODERATED = {
    StatementStatus.ACCEPTED: 1,
    StatementStatus.META: 1,
    StatementStatus.REJECTED: -1,
    StatementStatus.PENDING: 0,
}
# Fixed member times make the zip the same bytes for the same votes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
README = """\
Conversation {id}: {question}

A Polis open-data export (comments.csv, votes.csv) from Rank and File.
Participants are numbered; no file names a member. Votes carry no time: each
"timestamp" is the row's position in its file and "datetime" is empty.
moderated: 1 accepted (or meta), -1 rejected, 0 waiting; rejected and waiting
statements are listed without their text.
Recompute the map with: rankandfile opinion-map FOLDER --json
"""


def _csv(rows: list[tuple[object, ...]], header: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def comments_csv(conversation: Conversation) -> bytes:
    statements = (
        conversation.statements.order_by("number")
        .annotate(
            agrees=Count("votes", filter=Q(votes__value=1)),
            disagrees=Count("votes", filter=Q(votes__value=-1)),
        )
        .values_list("number", "status", "text", "agrees", "disagrees")
    )
    rows: list[tuple[object, ...]] = [
        (
            position,
            "",
            number,
            "",
            agrees,
            disagrees,
            MODERATED[StatementStatus(status)],
            csv_cell_escape(text) if status in VOTABLE else "",
        )
        for position, (number, status, text, agrees, disagrees) in enumerate(statements)
    ]
    return _csv(rows, COMMENTS_COLUMNS)


def votes_csv(conversation: Conversation) -> bytes:
    votes = (
        Vote.objects.filter(participant__conversation=conversation)
        .order_by("participant__number", "statement__number")
        .values_list("statement__number", "participant__number", "value")
    )
    rows: list[tuple[object, ...]] = [
        (position, "", statement, participant, value)
        for position, (statement, participant, value) in enumerate(votes.iterator(2000))
    ]
    return _csv(rows, VOTES_COLUMNS)


def conversation_export_zip(conversation: Conversation) -> bytes:
    """The export as zip bytes: the same votes give the same bytes."""
    files = {
        "README.txt": README.format(id=conversation.pk, question=conversation.question).encode(),
        "comments.csv": comments_csv(conversation),
        "votes.csv": votes_csv(conversation),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
