"""What the pages show of a map, as JSON-ready data. Standard library only; no Django here.

``map_data`` turns an ``OpinionMap`` and the votes it was computed from into the figures the
map page, the API and "from common ground to action" read: each statement's agree, disagree
and seen counts overall and within each group, and the statements where the groups divide most
(the widest gap between the groups' smoothed agree shares, (agrees + 1) / (votes + 2), as
Polis smooths them in repness.clj).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rankandfile.opinions.maths import OpinionMap

DIVISIVE_MOST = 5
# A statement divides the groups only if every group has voted on it this often.
DIVISIVE_VOTES_LEAST = 2


def _counts(
    votes: Iterable[tuple[int, int, int]], groups: dict[int, int], n_groups: int
) -> tuple[dict[int, list[int]], dict[int, list[list[int]]]]:
    latest = {(participant, statement): value for participant, statement, value in votes}
    overall: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_group: dict[int, list[list[int]]] = defaultdict(lambda: [[0, 0, 0] for _ in range(n_groups)])
    for (participant, statement), value in latest.items():
        rows = [overall[statement]]
        if participant in groups:
            rows.append(by_group[statement][groups[participant]])
        for row in rows:
            row[2] += 1
            if value == 1:
                row[0] += 1
            elif value == -1:
                row[1] += 1
    return overall, by_group


def _divisive(by_group: dict[int, list[list[int]]], n_groups: int) -> list[int]:
    if n_groups < 2:
        return []
    spreads = []
    for statement, rows in by_group.items():
        if min(row[2] for row in rows) < DIVISIVE_VOTES_LEAST:
            continue
        shares = [(row[0] + 1) / (row[2] + 2) for row in rows]
        spreads.append((-(max(shares) - min(shares)), statement))
    return [statement for _, statement in sorted(spreads)[:DIVISIVE_MOST]]


def map_data(result: OpinionMap, votes: Iterable[tuple[int, int, int]]) -> dict[str, Any]:
    groups = dict(result.groups)
    n_groups = max(groups.values(), default=-1) + 1
    overall, by_group = _counts(votes, groups, n_groups)
    sizes = [0] * n_groups
    for group in groups.values():
        sizes[group] += 1
    return {
        "positions": {
            str(p): [round(x, 5), round(y, 5)] for p, (x, y) in sorted(result.positions.items())
        },
        "groups": {str(p): g for p, g in sorted(groups.items())},
        "group_sizes": sizes,
        "in_conversation": len(result.in_conversation),
        "repness": {
            str(group): [
                {
                    "statement": r.statement,
                    "direction": r.direction,
                    "percent": round(100 * r.n_success / r.n_trials) if r.n_trials else 0,
                    "n_success": r.n_success,
                    "n_trials": r.n_trials,
                }
                for r in chosen
            ]
            for group, chosen in sorted(result.repness.items())
        },
        "consensus": {
            "agree": list(result.consensus.agree),
            "disagree": list(result.consensus.disagree),
        },
        # Without groups the product over groups is empty (1.0 for every statement): say nothing.
        "group_informed_consensus": {
            str(s): round(v, 6)
            for s, v in sorted(result.group_informed_consensus.items())
            if n_groups
        },
        "divisive": _divisive(by_group, n_groups),
        "votes": {str(s): row for s, row in sorted(overall.items())},
        "group_votes": {str(s): rows for s, rows in sorted(by_group.items())},
    }
