"""Read CSV ballots for approval and yes/no votes.

Approval: a header row of candidate names, then one row per ballot; a cell marked ``1``, ``x``,
``yes`` or ``true`` (any case) approves that candidate, an empty cell or ``0``/``no``/``false``
does not. Yes/no: a header row whose first column is the question (or ``vote``), then one row per
ballot reading ``yes``, ``no`` or ``abstain`` (also ``y``/``n``/``a``, ``for``/``against``). An
optional ``weight`` column (a positive whole number) counts a row several times.

Every problem raises :class:`~rankandfile.counting.blt.BallotFormatError` naming the line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from rankandfile.counting.blt import BallotFormatError

APPROVE = {"1", "x", "yes", "y", "true"}
NOT_APPROVE = {"", "0", "no", "n", "false"}
YES_NO = {
    "yes": "yes",
    "y": "yes",
    "for": "yes",
    "no": "no",
    "n": "no",
    "against": "no",
    "abstain": "abstain",
    "a": "abstain",
    "abstention": "abstain",
}


@dataclass(frozen=True)
class ApprovalBallots:
    candidates: tuple[str, ...]
    ballots: dict[frozenset[int], int]  # set of approved candidates -> number of ballots


@dataclass(frozen=True)
class YesNoBallots:
    question: str
    yes: int
    no: int
    abstain: int


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    rows = [(line, row) for line, row in rows if any(row)]
    if not rows:
        raise BallotFormatError(0, "empty file: expected a header row")
    return rows


def _split_weight(header: list[str], line: int) -> tuple[list[str], int | None]:
    lowered = [h.lower() for h in header]
    if lowered.count("weight") > 1:
        raise BallotFormatError(line, "more than one 'weight' column")
    if "weight" in lowered:
        at = lowered.index("weight")
        return header[:at] + header[at + 1 :], at
    return header, None


def _weight(row: list[str], at: int | None, line: int) -> tuple[list[str], int]:
    if at is None:
        return row, 1
    cell = row[at]
    if not cell.isdigit() or int(cell) < 1:
        raise BallotFormatError(line, f"weight must be a positive whole number, got {cell!r}")
    return row[:at] + row[at + 1 :], int(cell)


def parse_approval_csv(text: str) -> ApprovalBallots:
    rows = _rows(text)
    header_line, header = rows[0]
    names, weight_at = _split_weight(header, header_line)
    if not names or any(not name for name in names):
        raise BallotFormatError(header_line, "every column needs a candidate name")
    if len(set(names)) != len(names):
        raise BallotFormatError(header_line, "candidate names must be distinct")
    ballots: dict[frozenset[int], int] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise BallotFormatError(line, f"expected {len(header)} cells, got {len(row)}")
        cells, weight = _weight(row, weight_at, line)
        approved: set[int] = set()
        for c, cell in enumerate(cells):
            mark = cell.lower()
            if mark in APPROVE:
                approved.add(c)
            elif mark not in NOT_APPROVE:
                raise BallotFormatError(
                    line, f"cell for {names[c]!r} must be 1/x/yes or empty/0/no, got {cell!r}"
                )
        key = frozenset(approved)
        ballots[key] = ballots.get(key, 0) + weight
    return ApprovalBallots(tuple(names), ballots)


def parse_yesno_csv(text: str) -> YesNoBallots:
    rows = _rows(text)
    header_line, header = rows[0]
    columns, weight_at = _split_weight(header, header_line)
    if len(columns) != 1:
        raise BallotFormatError(
            header_line, "a yes/no file has one vote column (plus an optional weight column)"
        )
    tally = {"yes": 0, "no": 0, "abstain": 0}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise BallotFormatError(line, f"expected {len(header)} cells, got {len(row)}")
        cells, weight = _weight(row, weight_at, line)
        vote = YES_NO.get(cells[0].lower())
        if vote is None:
            raise BallotFormatError(line, f"vote must be yes, no or abstain, got {cells[0]!r}")
        tally[vote] += weight
    return YesNoBallots(columns[0], tally["yes"], tally["no"], tally["abstain"])


def read_approval_csv(path: str | Path) -> ApprovalBallots:
    return parse_approval_csv(Path(path).read_text(encoding="utf-8-sig"))


def read_yesno_csv(path: str | Path) -> YesNoBallots:
    return parse_yesno_csv(Path(path).read_text(encoding="utf-8-sig"))
