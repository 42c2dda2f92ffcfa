"""Meek STV (Algorithm 123, NZ fixed point) on small elections worked by hand."""

from decimal import Decimal

from rankandfile.counting.blt import Election, parse_blt
from rankandfile.counting.meek import count_meek
from rankandfile.counting.result import CountResult


def figures(result: CountResult, stage: int) -> dict[str, str]:
    return {k: str(v) for k, v in result.stages[stage - 1].totals.items()}


def test_keep_value_iteration_to_nine_places() -> None:
    # 10 votes, 2 seats: quota 10/3 truncated to 9 places + 0.000000001 = 3.333333334.
    # A (5) is elected. Keep value 3.333333334 / 5 = 0.6666666668 -> rounded up 0.666666667:
    # A keeps 5 x 0.666666667 = 3.333333335, B receives 5 x 0.333333333 = 1.666666665.
    # The surplus of 0.000000001 is under the tolerance; B (3.666666665) reaches the quota.
    election = Election.from_rankings("ABC", 2, [((0, 1), 5), ((1,), 2), ((2,), 3)])
    result = count_meek(election, seed=1)
    assert figures(result, 1) == {"A": "5.000000000", "B": "2.000000000", "C": "3.000000000"}
    assert figures(result, 2) == {"A": "3.333333335", "B": "3.666666665", "C": "3.000000000"}
    assert result.quota == Decimal("3.333333334")
    assert result.elected == ("A", "B")


def test_exclusion_after_convergence() -> None:
    # 11 votes, 2 seats, quota 3.666666667. A (5) elected; keep 0.733333334: A 3.666666670,
    # B 2 + 5 x 0.266666666 = 3.333333330. Nobody else reaches the quota: D (1) is excluded,
    # D's vote goes to C (4.000000000), who is elected.
    election = Election.from_rankings("ABCD", 2, [((0, 1), 5), ((1,), 2), ((2,), 3), ((3, 2), 1)])
    result = count_meek(election, seed=1)
    assert [s.action for s in result.stages] == ["first-preferences", "surplus", "exclusion"]
    assert figures(result, 2) == {
        "A": "3.666666670",
        "B": "3.333333330",
        "C": "3.000000000",
        "D": "1.000000000",
    }
    assert figures(result, 3)["C"] == "4.000000000"
    assert result.elected == ("A", "C")
    assert result.excluded == ("D",)


def test_exhausted_votes_lower_the_quota() -> None:
    # 9 votes, 1 seat. Stage 1: A 4, B 3, C 2 (C's voters rank nobody else): quota 4.500000001.
    # C is excluded; C's 2 votes are excess, so the quota falls to 7/2 + 0.000000001 and A (4)
    # is elected.
    election = Election.from_rankings("ABC", 1, [((0,), 4), ((1,), 3), ((2,), 2)])
    result = count_meek(election, seed=1)
    assert result.elected == ("A",)
    assert result.quota == Decimal("3.500000001")
    assert result.stages[-1].non_transferable == 2


def test_precision_option_changes_the_fixed_point() -> None:
    election = Election.from_rankings("ABC", 2, [((0, 1), 5), ((1,), 2), ((2,), 3)])
    result = count_meek(election, seed=1, decimals=6, tolerance=Decimal("0.0001"))
    assert result.quota == Decimal("3.333334")
    assert result.stages[1].totals["A"] == Decimal("3.333335")
    assert result.elected == ("A", "B")


def test_withdrawn_candidate_is_passed_over() -> None:
    election = parse_blt("3 1\n-1\n4 1 2 0\n3 3 0\n0\nA\nB\nC\n")
    result = count_meek(election, seed=1)
    assert result.elected == ("B",)
    assert result.stages[0].totals["A"] == 0
