"""Our opinion groups agree with the groups Polis itself published for each conversation.

Polis's group labels depend on the conversation's history (k-means started from the last run's
clusters, a group count that changes only after four runs in a row), which ours deliberately do
not, so agreement is close rather than exact. The floors are the values measured on these
conversations, slightly rounded down; the adjusted Rand index is printed (pytest -s).
london.youth.policing has 24 clustered participants, where Polis's history decides between 3
and 4 groups (we find 3, as Polis did, but not the same 3; with 4 the index was 0.178);
brexit-consensus was clustered under older Polis rules (8 of 189 participants differ).
vtaiwan.uberx is one cloud with a tail and no gap between its groups, and Polis's
boundary there is not where k-means settles: k-means over the participants, started from Polis's
own groups, ends with 282 participants in the smaller group instead of 330 (0.826 from Polis's),
so Polis's groups reflect its history. Ours are the groups that hold when a tenth of the
participants leave (0.70 from Polis's); one k-means start per k with base-cluster membership
measured 0.919 with its seed 0, but 0.70 to 0.75 with seeds 1 to 4.
"""

from __future__ import annotations

import pytest
from sklearn.metrics import adjusted_rand_score

from rankandfile.opinions.maths import OpinionMap
from rankandfile.opinions.polis_export import PolisExport

# Measured: 0.941, 0.837, 0.105, 0.700.
FLOORS = {
    "15-per-hour-seattle": 0.94,
    "brexit-consensus": 0.83,
    "london.youth.policing": 0.10,
    "vtaiwan.uberx": 0.69,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_our_groups_agree_with_polis_groups_by_adjusted_rand_index(
    name: str, exports: dict[str, PolisExport], maps: dict[str, OpinionMap]
) -> None:
    ours, polis = maps[name].groups, exports[name].polis_groups
    both = sorted(set(ours) & set(polis))

    index = adjusted_rand_score([polis[p] for p in both], [ours[p] for p in both])
    print(f"{name}: adjusted Rand index {index:.3f} over {len(both)} participants")

    assert len(both) >= 0.95 * len(polis), "we cluster the participants Polis clustered"
    assert index >= FLOORS[name]
