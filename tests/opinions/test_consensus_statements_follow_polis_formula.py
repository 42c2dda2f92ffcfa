"""Consensus statements are those of Polis's formula on the same votes.

repness.clj select-consensus-comments: over every participant, a statement is agreed on when
p = (agrees + 1) / (votes + 2) > 0.5 and the one-proportion test
z = 2 sqrt(votes + 1) ((agrees + 1) / (votes + 1) - 0.5) > 1.2816; the top 5 by p z
(likewise for disagrees); moderated-out statements never count.
"""

from __future__ import annotations

import math

import pytest

from rankandfile.opinions.maths import OpinionMap
from rankandfile.opinions.polis_export import PolisExport
from tests.opinions.conftest import CONVERSATIONS


def polis_consensus(
    latest: dict[tuple[int, int], int], out: frozenset[int], wanted: int
) -> list[int]:
    successes: dict[int, int] = {}
    seen: dict[int, int] = {}
    for (_, comment), vote in latest.items():
        seen[comment] = seen.get(comment, 0) + 1
        successes[comment] = successes.get(comment, 0) + (vote == wanted)
    scored = []
    for comment in sorted(seen):
        if comment in out:
            continue
        n, k = seen[comment], successes[comment]
        p = (k + 1) / (n + 2)
        z = 2 * math.sqrt(n + 1) * ((k + 1) / (n + 1) - 0.5)
        if p > 0.5 and z > 1.2816:
            scored.append((-(p * z), comment))
    return [comment for _, comment in sorted(scored)[:5]]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_consensus_statements_equal_polis_formula_on_the_same_votes(
    name: str,
    exports: dict[str, PolisExport],
    maps: dict[str, OpinionMap],
    latest: dict[str, dict[tuple[int, int], int]],
) -> None:
    out = exports[name].moderated_out
    found = maps[name].consensus

    assert list(found.agree) == polis_consensus(latest[name], out, 1)
    assert list(found.disagree) == polis_consensus(latest[name], out, -1)
    assert found.agree or found.disagree, "every conversation here has some consensus"
