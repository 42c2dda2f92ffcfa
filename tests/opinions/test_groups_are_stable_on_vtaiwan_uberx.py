"""On vtaiwan.uberx, the groups hold when the votes arrive in another order or 10% of the
participants are missing: adjusted Rand index against the full-data groups.

Vote order: 10 shuffles of the latest votes; the map is the same, so the index is 1.
Subsamples: 10 random 90% subsamples of the participants, each recomputed from scratch; the
issue's target is 0.9. Measured 0.946 to 0.996 (mean 0.970); over 30 subsamples 0.901 to 1
(mean 0.973), and with clustering seed 1, 2, 3 or 4 instead of 0 the lowest of the 30 was
0.933, 0.945, 0.936 and 0.872. This cloud has no clear gap between its two groups, and
k-means has many nearly equal solutions there; choosing among seeded starts by silhouette and
putting each participant with the nearest group centre (rankandfile/opinions/clusters.py)
keeps the boundary in place. The previous method (the k-means start with the least spread,
participants in their base cluster's group) measured 0.715 to 0.927.

Recomputing with the previous groups (what the app does after new votes) gives the same groups
and keeps the previous group numbers.
"""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import adjusted_rand_score

from rankandfile.opinions.maths import opinion_map
from rankandfile.opinions.polis_export import PolisExport

NAME = "vtaiwan.uberx"


def agreement(full: dict[int, int], part: dict[int, int]) -> float:
    both = sorted(set(full) & set(part))
    return float(adjusted_rand_score([full[p] for p in both], [part[p] for p in both]))


@pytest.fixture(scope="module")
def votes(latest: dict[str, dict[tuple[int, int], int]]) -> list[tuple[int, int, int]]:
    return [(p, c, v) for (p, c), v in latest[NAME].items()]


@pytest.fixture(scope="module")
def full_groups(
    votes: list[tuple[int, int, int]], exports: dict[str, PolisExport]
) -> dict[int, int]:
    return dict(opinion_map(votes, moderated_out=exports[NAME].moderated_out).groups)


@pytest.fixture(scope="module")
def subsample_agreement(
    votes: list[tuple[int, int, int]], exports: dict[str, PolisExport], full_groups: dict[int, int]
) -> list[float]:
    participants = sorted({p for p, _, _ in votes})
    result = []
    for seed in range(10):
        kept = set(random.Random(seed).sample(participants, int(0.9 * len(participants))))
        part = opinion_map(
            [vote for vote in votes if vote[0] in kept], moderated_out=exports[NAME].moderated_out
        )
        result.append(agreement(full_groups, dict(part.groups)))
    print("subsample adjusted Rand indexes:", [round(value, 3) for value in result])
    return result


def test_ten_shuffles_of_the_vote_order_keep_the_groups(
    votes: list[tuple[int, int, int]], exports: dict[str, PolisExport], full_groups: dict[int, int]
) -> None:
    for seed in range(10):
        shuffled = list(votes)
        random.Random(seed).shuffle(shuffled)
        groups = opinion_map(shuffled, moderated_out=exports[NAME].moderated_out).groups
        assert agreement(full_groups, dict(groups)) >= 0.9


def test_ninety_percent_subsamples_keep_the_groups(subsample_agreement: list[float]) -> None:
    assert min(subsample_agreement) >= 0.9
    assert sum(subsample_agreement) / len(subsample_agreement) >= 0.95


def test_recomputing_with_the_previous_groups_keeps_them_and_their_numbers(
    votes: list[tuple[int, int, int]], exports: dict[str, PolisExport], full_groups: dict[int, int]
) -> None:
    participants = sorted({p for p, _, _ in votes})
    indexes, kept_numbers = [], []
    for seed in range(10):
        kept = set(random.Random(seed).sample(participants, int(0.9 * len(participants))))
        part = opinion_map(
            [vote for vote in votes if vote[0] in kept],
            moderated_out=exports[NAME].moderated_out,
            previous_groups=full_groups,
        ).groups
        indexes.append(agreement(full_groups, dict(part)))
        both = sorted(set(part) & set(full_groups))
        kept_numbers.append(sum(part[p] == full_groups[p] for p in both) / len(both))
    print("subsample adjusted Rand indexes, previous groups given:", [round(i, 3) for i in indexes])

    assert min(indexes) >= 0.9
    assert min(kept_numbers) >= 0.95


def test_the_same_votes_with_the_previous_groups_give_the_same_numbered_groups(
    votes: list[tuple[int, int, int]], exports: dict[str, PolisExport], full_groups: dict[int, int]
) -> None:
    renumbered = {p: 1 - g for p, g in full_groups.items()}

    again = opinion_map(
        votes, moderated_out=exports[NAME].moderated_out, previous_groups=renumbered
    )

    assert dict(again.groups) == renumbered
