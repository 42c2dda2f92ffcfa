"""The same votes give the same map, byte for byte, whatever order they arrive in."""

from __future__ import annotations

import json
import random

from rankandfile.opinions.maths import opinion_map
from rankandfile.opinions.polis_export import PolisExport, as_json, map_of_export


def test_two_runs_on_the_same_export_print_identical_json(
    exports: dict[str, PolisExport],
) -> None:
    for export in exports.values():
        first = json.dumps(as_json(map_of_export(export)))
        second = json.dumps(as_json(map_of_export(export)))
        assert first == second


def test_the_order_of_the_latest_votes_does_not_change_the_map(
    exports: dict[str, PolisExport], latest: dict[str, dict[tuple[int, int], int]]
) -> None:
    export = exports["15-per-hour-seattle"]
    votes = [(p, c, v) for (p, c), v in latest["15-per-hour-seattle"].items()]
    shuffled = list(votes)
    random.Random(1).shuffle(shuffled)

    in_order = opinion_map(votes, moderated_out=export.moderated_out)
    out_of_order = opinion_map(shuffled, moderated_out=export.moderated_out)

    assert json.dumps(as_json(in_order)) == json.dumps(as_json(out_of_order))
    assert in_order.positions == out_of_order.positions
    assert in_order.priority == out_of_order.priority
