"""ERS97 on small elections worked by hand from the ERS97 rules (section 5)."""

from decimal import Decimal

from rankandfile.counting.blt import Election, parse_blt
from rankandfile.counting.ers97 import count_ers97
from rankandfile.counting.result import CountResult


def figures(result: CountResult, stage: int) -> dict[str, str]:
    return {k: str(v) for k, v in result.stages[stage - 1].totals.items()}


def test_quota_rounds_up_to_the_next_hundredth() -> None:
    # 5.1.6: 22 / 3 = 7.333... -> 7.33 + 0.01 = 7.34; 21 / 3 = 7.00 exactly.
    assert count_ers97(Election.from_rankings("AB", 2, [((0,), 22)])).quota == Decimal("7.34")
    assert count_ers97(Election.from_rankings("AB", 2, [((0,), 21)])).quota == Decimal("7.00")


def test_surplus_is_deferred_while_it_cannot_save_the_lowest_candidate() -> None:
    # 22 votes, 2 seats, quota 7.34. Stage 1: A 9, B 6, C 5, D 2; A is elected, surplus 1.66.
    # 5.2.2(a): 1.66 does not exceed C - D = 3, so the surplus is deferred and D excluded
    # (stage 2; D's 2 papers to C: C 7). Now 1.66 exceeds C - B = 1, so A's first-stage surplus
    # is transferred (5.3.1, all 9 papers, to B): 1.66 / 9 = 0.1844 -> 0.18 a paper, B gets
    # 1.62 and 0.04 is the non-transferable difference (5.3.7-5.3.9). B (7.62) is elected.
    election = Election.from_rankings("ABCD", 2, [((0, 1), 9), ((1,), 6), ((2,), 5), ((3, 2), 2)])
    result = count_ers97(election, seed=1)
    assert result.quota == Decimal("7.34")
    assert [s.action for s in result.stages] == ["first-preferences", "exclusion", "surplus"]
    assert figures(result, 1) == {"A": "9.00", "B": "6.00", "C": "5.00", "D": "2.00"}
    assert figures(result, 2) == {"A": "9.00", "B": "6.00", "C": "7.00", "D": "0.00"}
    assert "deferred: 1.66" in result.stages[1].note
    assert figures(result, 3) == {"A": "7.34", "B": "7.62", "C": "7.00", "D": "0.00"}
    assert result.stages[2].non_transferable == Decimal("0.04")
    assert result.elected == ("A", "B")
    assert result.excluded == ("D", "C")  # C formally excluded (5.5.2)


def test_total_active_vote_elects_below_the_quota() -> None:
    # 20 votes, 3 seats, quota 20/4 = 5.00. Stage 1: A 8, B 5, C 4, D 2, E 1: A and B elected.
    # A's surplus 3 is not deferred (3 > E to D = 1; D and E together 1 + 2 + 3 > C's 4). A's
    # papers have no further preference, so all 3.00 is non-transferable (stage 2). The total
    # active vote is now 4 + 2 + 1 = 7 and one place is left: 7 / 2 = 3.50 <= C's 4, so C is
    # deemed elected under 5.3.13(b); D and E are formally excluded (5.5.2).
    election = Election.from_rankings(
        "ABCDE", 3, [((0,), 8), ((1,), 5), ((2, 1, 4), 4), ((3, 2), 2), ((4,), 1)]
    )
    result = count_ers97(election, seed=1)
    assert [s.action for s in result.stages] == ["first-preferences", "surplus"]
    assert result.stages[0].elected == ("A", "B")
    assert figures(result, 2) == {"A": "5.00", "B": "5.00", "C": "4.00", "D": "2.00", "E": "1.00"}
    assert result.stages[1].non_transferable == Decimal("3.00")
    assert result.stages[1].elected == ("C",)
    assert result.elected == ("A", "B", "C")
    assert result.excluded == ("D", "E")


def test_lowest_candidates_are_excluded_together() -> None:
    # 30 votes, 2 seats, quota 10.00: A (10) elected at stage 1 with no surplus. 5.2.5: E (1)
    # and D (2) together, 3, do not exceed C's 8 (adding B would leave too few), so both go
    # at stage 2: D's 2 papers to C (10.00, elected), E's paper passes over D and exhausts.
    election = Election.from_rankings(
        "ABCDE", 2, [((0,), 10), ((1,), 9), ((2,), 8), ((3, 2), 2), ((4, 3), 1)]
    )
    result = count_ers97(election, seed=1)
    assert [s.action for s in result.stages] == ["first-preferences", "exclusion"]
    assert set(result.stages[1].excluded) == {"D", "E"}
    assert figures(result, 2) == {
        "A": "10.00",
        "B": "9.00",
        "C": "10.00",
        "D": "0.00",
        "E": "0.00",
    }
    assert result.stages[1].non_transferable == Decimal("1.00")
    assert result.elected == ("A", "C")


def test_quota_is_recalculated_when_papers_exhaust_before_anyone_is_elected() -> None:
    # 20 votes, 2 seats, quota 20/3 -> 6.67. Stage 1: A 6, B 5, C 4, D 3, E 2; nobody elected.
    # E alone can be excluded (D and E together, 5, exceed C's 4). E's 2 papers exhaust, so by
    # 5.4.8 the quota becomes 18/3 = 6.00 and A (6) is deemed elected at stage 2. Stage 3: D is
    # excluded; D's 3 papers pass over the elected A to B, who reaches 8.00 and is elected.
    election = Election.from_rankings(
        "ABCDE", 2, [((0, 2), 6), ((1,), 5), ((2, 1), 4), ((3, 0, 1), 3), ((4,), 2)]
    )
    result = count_ers97(election, seed=1)
    assert result.stages[1].excluded == ("E",)
    assert result.stages[1].elected == ("A",)
    assert result.quota == Decimal("6.00")
    assert figures(result, 3)["B"] == "8.00"
    assert result.elected == ("A", "B")


def test_withdrawn_candidate_gets_no_votes() -> None:
    election = parse_blt("3 1\n-2\n3 2 1 0\n2 3 0\n0\nA\nB\nC\n")
    result = count_ers97(election, seed=1)
    assert result.stages[0].totals["B"] == 0
    assert result.elected == ("A",)


def test_a_later_surplus_transfers_only_the_last_received_batch() -> None:
    # 20 votes, 2 seats, quota 20/3 -> 6.67. Stage 1: A 6, B 5, C 3, D 4, E 2. Stage 2: E out,
    # to D (6). Stage 3: C out; C's 3 papers (C A B) reach A: A 9, elected, surplus 2.33.
    # Stage 4 (5.3.2): only that last batch of 3 papers is examined, not A's own 6 (which have
    # no next preference): 3.00 > 2.33, so each passes at 2.33 / 3 = 0.776 -> 0.77 to B:
    # B 5 + 2.31 = 7.31, elected; the non-transferable difference is 0.02.
    election = Election.from_rankings(
        "ABCDE", 2, [((0,), 6), ((2, 0, 1), 3), ((1,), 5), ((3,), 4), ((4, 3), 2)]
    )
    result = count_ers97(election, seed=1)
    assert [s.action for s in result.stages] == [
        "first-preferences",
        "exclusion",
        "exclusion",
        "surplus",
    ]
    assert figures(result, 3) == {"A": "9.00", "B": "5.00", "C": "0.00", "D": "6.00", "E": "0.00"}
    assert result.stages[2].elected == ("A",)
    assert figures(result, 4) == {"A": "6.67", "B": "7.31", "C": "0.00", "D": "6.00", "E": "0.00"}
    assert result.stages[3].non_transferable == Decimal("0.02")
    assert result.elected == ("A", "B")


def test_exclusion_moves_batches_highest_value_first_and_stops_when_places_are_filled() -> None:
    # 29 votes, 2 seats, quota 29/3 -> 9.67. Stage 1: A 12 (6 A C B, 6 A D), B 8, C 4, D 5.
    # A's surplus 2.33 exceeds C to D (1) so it is not deferred: 12 papers, 2.33 / 12 -> 0.19
    # each: C 5.14, D 6.14, non-transferable difference 0.05 (stage 2). Stage 3: C is excluded.
    # Her batch at 1.00 (4 papers C B) goes first (5.4.1-5.4.2): B 12.00, elected. All places
    # are now filled, so the batch at 0.19 is not transferred (5.5.2).
    election = Election.from_rankings(
        "ABCD", 2, [((0, 2, 1), 6), ((0, 3), 6), ((1,), 8), ((2, 1), 4), ((3,), 5)]
    )
    result = count_ers97(election, seed=1)
    assert figures(result, 2) == {"A": "9.67", "B": "8.00", "C": "5.14", "D": "6.14"}
    assert result.stages[1].non_transferable == Decimal("0.05")
    assert result.stages[2].action == "exclusion"
    assert figures(result, 3) == {"A": "9.67", "B": "12.00", "C": "1.14", "D": "6.14"}
    assert result.elected == ("A", "B")


def test_as_many_candidates_as_places_are_all_elected() -> None:
    # 4.3: two candidates for two places; B (1 vote) is below any quota but is elected.
    election = Election.from_rankings("AB", 2, [((0,), 10), ((1,), 1)])
    result = count_ers97(election, seed=1)
    assert set(result.elected) == {"A", "B"}
    assert result.stages[-1].action in {"elect", "first-preferences", "surplus"}
