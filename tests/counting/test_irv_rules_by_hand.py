"""Instant-runoff on small elections worked by hand."""

from decimal import Decimal

from rankandfile.counting.blt import Election, parse_blt
from rankandfile.counting.irv import count_irv
from rankandfile.counting.result import CountResult


def figures(result: CountResult, stage: int) -> dict[str, int]:
    return {k: int(v) for k, v in result.stages[stage - 1].totals.items()}


def test_exhausted_ballots_leave_the_majority_of_continuing_votes() -> None:
    # A 4, B 3, C 2 (then B), D 1 (no further preference). D out: exhausted, 9 continue.
    # C out: to B, B 5 of 9 continuing > half: B wins though A led at first.
    election = Election.from_rankings("ABCD", 1, [((0, 1), 4), ((1, 2), 3), ((2, 1), 2), ((3,), 1)])
    result = count_irv(election, seed=1)
    assert figures(result, 1) == {"A": 4, "B": 3, "C": 2, "D": 1}
    assert figures(result, 2) == {"A": 4, "B": 3, "C": 2, "D": 0}
    assert result.stages[1].non_transferable == Decimal(1)
    assert figures(result, 3) == {"A": 4, "B": 5, "C": 0, "D": 0}
    assert result.elected == ("B",)
    assert result.excluded == ("D", "C")


def test_tie_for_fewest_is_settled_by_the_previous_round() -> None:
    # A 5, B 4, C 3, D 2 (one to C, one exhausted). D out: C 4 ties B 4; in round 1 C had 3,
    # fewer than B: C is excluded. Round 3: A 5 of 9 continuing: A wins.
    election = Election.from_rankings(
        "ABCD", 1, [((0,), 5), ((1,), 4), ((2,), 3), ((3, 2), 1), ((3,), 1)]
    )
    result = count_irv(election, seed=1)
    assert result.excluded == ("D", "C")
    tie = result.stages[2].tie_breaks[0]
    assert (set(tie.tied), tie.chosen) == ({"B", "C"}, "C")
    assert "stage 1" in tie.reason
    assert result.elected == ("A",)


def test_tie_at_every_round_is_drawn_by_lot_reproducibly() -> None:
    election = Election.from_rankings("ABC", 1, [((0,), 3), ((1, 0), 2), ((2, 0), 2)])
    first = count_irv(election, seed=11)
    assert "lot (seed 11)" in first.stages[1].tie_breaks[0].reason
    assert count_irv(election, seed=11).excluded == first.excluded
    assert first.elected == ("A",)


def test_withdrawn_candidate_preferences_pass_to_the_next() -> None:
    election = parse_blt("3 1\n-2\n3 2 1 0\n2 3 0\n0\nA\nB\nC\n")
    result = count_irv(election, seed=1)
    assert figures(result, 1) == {"A": 3, "B": 0, "C": 2}
    assert result.elected == ("A",)
