"""Group-informed consensus, computed with Polis's own group labels, is Polis's formula exactly.

conversation.clj :group-aware-consensus: for each statement, the product over the groups of
(agrees in the group + 1) / (votes in the group + 2), a pass counting as a vote.
"""

from __future__ import annotations

import pytest

from rankandfile.opinions.maths import group_informed_consensus, vote_matrix
from rankandfile.opinions.polis_export import PolisExport
from tests.opinions.conftest import CONVERSATIONS


def polis_formula(latest: dict[tuple[int, int], int], groups: dict[int, int]) -> dict[int, float]:
    agrees: dict[tuple[int, int], int] = {}
    votes: dict[tuple[int, int], int] = {}
    for (participant, comment), vote in latest.items():
        if participant in groups:
            key = (groups[participant], comment)
            votes[key] = votes.get(key, 0) + 1
            agrees[key] = agrees.get(key, 0) + (vote == 1)
    result = {}
    for comment in sorted({comment for _, comment in latest}):
        value = 1.0
        for group in sorted(set(groups.values())):
            value *= (agrees.get((group, comment), 0) + 1.0) / (
                votes.get((group, comment), 0) + 2.0
            )
        result[comment] = value
    return result


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_group_informed_consensus_with_polis_groups_matches_the_formula_exactly(
    name: str,
    exports: dict[str, PolisExport],
    latest: dict[str, dict[tuple[int, int], int]],
) -> None:
    export = exports[name]
    assert export.polis_groups, "the export names Polis's groups"

    found = group_informed_consensus(vote_matrix(export.votes), export.polis_groups)

    assert found == polis_formula(latest[name], export.polis_groups)
