"""Ties for exclusion: Scottish STV looks back from the most recent stage, ERS97 and Meek (NZ)
look forward from the first stage. One election shows the difference."""

from rankandfile.counting.blt import Election
from rankandfile.counting.ers97 import count_ers97
from rankandfile.counting.meek import count_meek
from rankandfile.counting.scottish_stv import count_scottish_stv

# Stage 1: A 10, X 5, Y 6, P 2 (then X), Q 4 (one then Y, three no further preference).
# P out: X 7, Y 6. Q out: X 7, Y 7. X and Y now tie for fewest: X was behind at stage 1 but
# ahead at stage 2.
ELECTION = Election.from_rankings(
    "AXYPQ", 1, [((0,), 10), ((1,), 5), ((2,), 6), ((3, 1), 2), ((4, 2), 1), ((4,), 3)]
)


def test_scottish_stv_excludes_the_lower_at_the_most_recent_preceding_stage() -> None:
    result = count_scottish_stv(ELECTION, seed=1)
    assert result.excluded[:3] == ("P", "Q", "Y")
    tie = result.stages[3].tie_breaks[0]
    assert (set(tie.tied), tie.chosen) == ({"X", "Y"}, "Y")
    assert "stage 2" in tie.reason


def test_ers97_excludes_the_lower_at_the_earliest_stage() -> None:
    result = count_ers97(ELECTION, seed=1)
    assert result.excluded[:3] == ("P", "Q", "X")
    tie = result.stages[3].tie_breaks[0]
    assert (set(tie.tied), tie.chosen) == ({"X", "Y"}, "X")
    assert "stage 1" in tie.reason


def test_meek_uses_ahead_at_first_difference() -> None:
    result = count_meek(ELECTION, seed=1)
    assert result.excluded[:3] == ("P", "Q", "X")
