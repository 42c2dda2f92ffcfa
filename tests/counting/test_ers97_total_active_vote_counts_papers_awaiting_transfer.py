"""ERS97 6.20: the total active vote is "the sum of the votes credited to all continuing
candidates, plus any votes awaiting transfer". Between the batches of an exclusion (5.4.11) the
excluded candidates' papers not yet moved are awaiting transfer, so they count towards the
5.4.9(b) threshold, total active vote / (places not yet filled + 1).
"""

from decimal import Decimal
from pathlib import Path

from rankandfile.counting.blt import Election, read_blt
from rankandfile.counting.ers97 import count_ers97
from rankandfile.counting.result import CountResult

WARDS = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"


def figures(result: CountResult, stage: int) -> dict[str, str]:
    return {k: str(v) for k, v in result.stages[stage - 1].totals.items()}


def test_papers_still_to_move_in_an_exclusion_count_towards_the_total_active_vote() -> None:
    # 23 votes, 2 seats. Ballots: 3 A; 3 A D C; 4 A B; 6 A C; 4 B; 2 C; 1 D B.
    #
    # Stage 1 (5.1.6-5.1.7): quota 23 / 3 = 7.666... -> 7.66 + 0.01 = 7.67.
    #   A 16, B 4, C 2, D 1: A is deemed elected, surplus 16 - 7.67 = 8.33.
    # Stage 2: the surplus is not deferred (5.2.2: D 1 + 8.33 exceeds C's 2). All of A's papers
    #   are examined (5.3.1): 13 transferable (3 to D, 4 to B, 6 to C) worth 13.00 > 8.33, so each
    #   passes at 8.33 / 13 = 0.6407 -> 0.64 (5.3.7): B 4 + 2.56 = 6.56, C 2 + 3.84 = 5.84,
    #   D 1 + 1.92 = 2.92; non-transferable difference 8.33 - 8.32 = 0.01. Total active vote
    #   6.56 + 5.84 + 2.92 = 15.32, / 2 = 7.66: nobody reaches it (or the quota).
    # Stage 3: D is excluded (5.2.5: D and C together, 8.76, exceed B's 6.56). D holds two
    #   batches (5.4.1): her own paper at 1.00 and A's 3 papers at 0.64.
    #   Batch 1 (1.00, D B): B 7.56. D still holds the 1.92 of batch 2, awaiting transfer, so the
    #     total active vote is B 7.56 + C 5.84 + 1.92 = 15.32, / 2 = 7.66 (6.20, 5.4.9(b)), and
    #     B (7.56, below the quota too) is not deemed elected. Leaving out the papers still to
    #     move would give (7.56 + 5.84) / 2 = 6.70 and deem B elected here, with the 0.64 batch
    #     never transferred (5.5.2): A and B.
    #   Batch 2 (0.64, A D C): 3 x 0.64 = 1.92 to C: C 7.76, which reaches the quota 7.67 and
    #     beats B's 7.56: C is deemed elected.
    election = Election.from_rankings(
        "ABCD",
        2,
        [
            ((0,), 3),
            ((0, 3, 2), 3),
            ((0, 1), 4),
            ((0, 2), 6),
            ((1,), 4),
            ((2,), 2),
            ((3, 1), 1),
        ],
    )
    result = count_ers97(election, seed=1)
    assert result.quota == Decimal("7.67")
    assert [s.action for s in result.stages] == ["first-preferences", "surplus", "exclusion"]
    assert figures(result, 1) == {"A": "16.00", "B": "4.00", "C": "2.00", "D": "1.00"}
    assert figures(result, 2) == {"A": "7.67", "B": "6.56", "C": "5.84", "D": "2.92"}
    assert result.stages[1].non_transferable == Decimal("0.01")
    assert result.stages[1].elected == ()
    assert figures(result, 3) == {"A": "7.67", "B": "7.56", "C": "7.76", "D": "0.00"}
    assert result.stages[2].elected == ("C",)
    assert result.elected == ("A", "C")
    assert result.excluded == ("D", "B")  # B formally excluded (5.5.2)


def test_a_real_ward_elects_nobody_while_excluded_papers_wait_to_move() -> None:
    # City of Edinburgh, ward 9 (Fountainbridge/Craiglockhart), 4 May 2017: 6 candidates,
    # 3 seats, quota 2286.50. The winners are the same either way (Johnston, Corbett, Key);
    # what the rule changes is when Key is deemed elected.
    # Stage 2 ends with Johnston's surplus transferred: Wimberley 1478.45, Key 1948.85,
    # Corbett 2525.00 (elected, surplus 238.50), Lang 786.85, Subramani 109.95.
    # Stage 3: Corbett's surplus is deferred and Subramani and Lang are excluded together. After
    #   the first batch (their papers at 1.00), Key has 2028.85 and Wimberley 1757.45 while the
    #   papers they had from Johnston's surplus, Lang 325.85 and Subramani 47.95, still hold
    #   373.80 to move. The total active vote is 1757.45 + 2028.85 + the
    #   deferred 238.50 + 373.80 = 4398.60, / 2 = 2199.30, so Key is not deemed elected (leaving
    #   out the 373.80 gives 4024.80 / 2 = 2012.40, which deemed him elected at stage 3 with
    #   those papers never moved). After every batch: Wimberley 1925.45, Key 2036.20; total
    #   active vote 1925.45 + 2036.20 + 238.50 = 4200.15, / 2 = 2100.08: still nobody.
    # Stage 4: Corbett's surplus brings Key to 2155.44 and Wimberley to 2026.87: total active
    #   vote 4182.31, / 2 = 2091.16 <= 2155.44: Key is deemed elected.
    election = read_blt(WARDS / "edinburgh_2017_ward9.blt")
    result = count_ers97(election, seed=0)
    exclusion = result.stages[2]
    assert exclusion.action == "exclusion"
    assert set(exclusion.excluded) == {"Rojan SUBRAMANI (Ind)", "Jenni LANG (LD)"}
    assert exclusion.elected == ()
    assert exclusion.totals["Jenni LANG (LD)"] == 0
    assert exclusion.totals["Rojan SUBRAMANI (Ind)"] == 0
    assert exclusion.totals["David KEY (SNP)"] == Decimal("2036.20")
    assert exclusion.totals["Anne WIMBERLEY (Lab)"] == Decimal("1925.45")
    surplus = result.stages[3]
    assert (surplus.action, surplus.subject) == ("surplus", ("Gavin CORBETT (Grn)",))
    assert surplus.totals["David KEY (SNP)"] == Decimal("2155.44")
    assert surplus.elected == ("David KEY (SNP)",)
    assert result.elected == ("Andrew JOHNSTON (C)", "Gavin CORBETT (Grn)", "David KEY (SNP)")
