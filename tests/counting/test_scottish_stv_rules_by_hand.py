"""Scottish STV on small elections worked by hand from SSI 2011/399 Sch. 1 rules 45-52."""

from decimal import Decimal

from rankandfile.counting.blt import Election, parse_blt
from rankandfile.counting.result import CountResult
from rankandfile.counting.scottish_stv import count_scottish_stv


def totals(result: CountResult, stage: int) -> dict[str, str]:
    return {k: str(v) for k, v in result.stages[stage - 1].totals.items()}


def test_surplus_transfer_value_is_truncated_to_five_places() -> None:
    # 20 valid votes, 2 seats: quota floor(20/3)+1 = 7. A has 9: surplus 2, each of A's papers
    # passes at floor5(2 x 1 / 9) = 0.22222; 7 to B (1.55554) and 2 to C (0.44444); the
    # 0.00002 lost to truncation is non-transferable. D (4) is then lowest and goes to C.
    election = Election.from_rankings(
        "ABCD", 2, [((0, 1), 7), ((0, 2), 2), ((1,), 3), ((2,), 4), ((3, 2), 4)]
    )
    result = count_scottish_stv(election, seed=1)
    assert result.quota == Decimal(7)
    assert [s.action for s in result.stages] == ["first-preferences", "surplus", "exclusion"]
    assert totals(result, 1) == {"A": "9.00000", "B": "3.00000", "C": "4.00000", "D": "4.00000"}
    assert totals(result, 2) == {"A": "7.00000", "B": "4.55554", "C": "4.44444", "D": "4.00000"}
    assert result.stages[1].non_transferable == Decimal("0.00002")
    assert totals(result, 3) == {"A": "7.00000", "B": "4.55554", "C": "8.44444", "D": "0.00000"}
    assert result.elected == ("A", "C")
    assert result.excluded == ("D",)


def test_tie_equal_at_every_stage_is_decided_by_recorded_lot() -> None:
    election = parse_blt("4 1\n3 1 0\n2 2 0\n1 3 2 0\n1 3 0\n1 4 0\n0\nA\nB\nC\nD\n")
    # Quota floor(8/2)+1 = 5. Stage 1: A 3, B 2, C 2, D 1 -> exclude D (exhausts).
    # Stage 2: A 3, B 2, C 2: tie at 2 and at stage 1 too -> decided by lot, recorded.
    result = count_scottish_stv(election, seed=7)
    tie = result.stages[2].tie_breaks[0]
    assert set(tie.tied) == {"B", "C"}
    assert "lot (seed 7)" in tie.reason
    again = count_scottish_stv(election, seed=7)
    assert again.excluded == result.excluded


def test_tie_broken_by_earlier_stage_before_lot() -> None:
    # Quota floor(13/2)+1 = 7. Stage 1: A 5, B 3, C 2, D 2, E 1. E -> C: C 3 (stage 2).
    # D (2) out, to B: B 5 (stage 3). C (3) out, exhausted (stage 4). A and B tie on 5 for
    # fewest; equal at stage 3 too, but at stage 2 B had 3 to A's 5: B is excluded (stage 5).
    election = Election.from_rankings(
        "ABCDE", 1, [((0,), 5), ((1,), 3), ((2,), 2), ((3, 1), 2), ((4, 2), 1)]
    )
    result = count_scottish_stv(election, seed=3)
    assert result.excluded == ("E", "D", "C", "B")
    assert result.elected == ("A",)
    tie = result.stages[4].tie_breaks[0]
    assert tie.chosen == "B"
    assert "most recent preceding" in tie.reason
    assert "stage 2" in tie.reason


def test_withdrawn_candidate_is_skipped_and_never_elected() -> None:
    election = parse_blt("3 1\n-1\n4 1 2 0\n3 3 0\n0\nA\nB\nC\n")
    result = count_scottish_stv(election, seed=1)
    assert result.elected == ("B",)
    assert result.stages[0].totals["A"] == 0
    assert result.stages[0].totals["B"] == 4


def test_last_vacancies_are_filled_when_continuing_equals_vacancies() -> None:
    # Quota floor(6/3)+1 = 3: A is elected at stage 1. C is excluded; C's paper skips the
    # elected A and is exhausted. B is then the only continuing candidate for the one place
    # left and is elected on 2 votes, below the quota.
    election = Election.from_rankings("ABC", 2, [((0,), 3), ((1,), 2), ((2, 0), 1)])
    result = count_scottish_stv(election, seed=1)
    assert result.elected == ("A", "B")
    assert result.stages[-1].action == "exclusion"
    assert result.stages[-1].elected == ("B",)
    assert result.stages[-1].totals["B"] == 2
    assert result.stages[-1].non_transferable == 1
