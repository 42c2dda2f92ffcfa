"""Read a Polis open-data export folder, and ``rankandfile opinion-map DIR --json --svg FILE``.

An export folder (compdemocracy/openData) holds ``comments.csv`` (comment-id, moderated: -1 out,
0 unmoderated, 1 in), ``votes.csv`` (every vote in the order cast, re-votes included) and
``participants-votes.csv`` (each participant's latest votes, one column per comment, and the
group Polis put them in). Votes come from ``votes.csv`` when present, otherwise from the matrix.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rankandfile.opinions.maths import OpinionMap, opinion_map
from rankandfile.opinions.svg import opinion_map_svg

# Comment bodies can be long; the csv module's default field limit is 128 KiB.
csv.field_size_limit(10_000_000)

_FIXED_COLUMNS = {
    "participant",
    "xid",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
}


class ExportError(ValueError):
    """The folder is not a readable Polis export."""


@dataclass(frozen=True)
class PolisExport:
    """One conversation: votes as ``(participant, comment, vote)`` in the order cast."""

    comments: tuple[int, ...]
    moderated_out: frozenset[int]
    votes: tuple[tuple[int, int, int], ...]
    polis_groups: dict[int, int]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_comments(folder: Path) -> tuple[tuple[int, ...], frozenset[int]]:
    rows = _rows(folder / "comments.csv")
    comments = tuple(sorted(int(row["comment-id"]) for row in rows))
    out = frozenset(int(row["comment-id"]) for row in rows if row.get("moderated") == "-1")
    return comments, out


def _votes_from_log(path: Path) -> tuple[tuple[int, int, int], ...]:
    """votes.csv, ordered by timestamp (the file's own order breaks ties)."""
    rows = _rows(path)
    ordered = sorted(enumerate(rows), key=lambda item: (int(item[1]["timestamp"]), item[0]))
    return tuple(
        (int(row["voter-id"]), int(row["comment-id"]), int(row["vote"])) for _, row in ordered
    )


def _matrix(folder: Path) -> tuple[tuple[tuple[int, int, int], ...], dict[int, int]]:
    """participants-votes.csv: the latest votes and Polis's own group of each participant."""
    path = folder / "participants-votes.csv"
    if not path.exists():
        return (), {}
    votes: list[tuple[int, int, int]] = []
    groups: dict[int, int] = {}
    for row in _rows(path):
        participant = int(row["participant"])
        if row.get("group-id"):
            groups[participant] = int(row["group-id"])
        for column, value in row.items():
            if column not in _FIXED_COLUMNS and value not in ("", None):
                votes.append((participant, int(column), int(value)))
    return tuple(votes), groups


def read_export(folder: Path) -> PolisExport:
    """Read an export folder; raises ExportError when a needed file is missing."""
    if not (folder / "comments.csv").exists():
        raise ExportError(f"{folder}: no comments.csv")
    comments, moderated_out = _read_comments(folder)
    matrix_votes, polis_groups = _matrix(folder)
    log = folder / "votes.csv"
    if log.exists():
        votes = _votes_from_log(log)
    elif matrix_votes:
        votes = matrix_votes
    else:
        raise ExportError(f"{folder}: neither votes.csv nor participants-votes.csv")
    return PolisExport(comments, moderated_out, votes, polis_groups)


def map_of_export(export: PolisExport) -> OpinionMap:
    return opinion_map(export.votes, moderated_out=export.moderated_out)


def as_json(result: OpinionMap) -> dict[str, Any]:
    """The ``--json`` object: groups, consensus, repness and group-informed consensus."""
    return {
        "groups": {str(p): g for p, g in sorted(result.groups.items())},
        "consensus": {
            "agree": list(result.consensus.agree),
            "disagree": list(result.consensus.disagree),
        },
        "repness": {
            str(group): [{"comment": r.statement, "direction": r.direction} for r in chosen]
            for group, chosen in sorted(result.repness.items())
        },
        "group_informed_consensus": {
            str(s): v for s, v in sorted(result.group_informed_consensus.items())
        },
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rankandfile opinion-map",
        description="Compute the opinion map of a Polis open-data export folder.",
    )
    parser.add_argument("folder", type=Path, help="folder with comments.csv and votes")
    parser.add_argument("--json", action="store_true", help="print the map as one JSON object")
    parser.add_argument(
        "--svg", type=Path, metavar="FILE", help="draw the map as an SVG scatter plot in FILE"
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        export = read_export(args.folder)
    except (ExportError, OSError, KeyError, ValueError) as error:
        print(f"rankandfile opinion-map: {error}", file=sys.stderr)
        return 2
    result = map_of_export(export)
    if args.svg is not None:
        title = f"Opinion map of {args.folder.resolve().name}"
        try:
            args.svg.write_text(opinion_map_svg(result, title=title), encoding="utf-8")
        except OSError as error:
            print(f"rankandfile opinion-map: {error}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, sort_keys=False))
        return 0
    if args.svg is not None:
        return 0
    sizes: dict[int, int] = {}
    for group in result.groups.values():
        sizes[group] = sizes.get(group, 0) + 1
    print(f"{len(result.participants)} participants, {len(result.in_conversation)} clustered")
    for group, size in sorted(sizes.items()):
        print(f"group {group}: {size} participants")
    print(f"consensus agree: {list(result.consensus.agree)}")
    print(f"consensus disagree: {list(result.consensus.disagree)}")
    return 0
