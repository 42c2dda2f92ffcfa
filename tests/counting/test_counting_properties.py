"""Properties every count must have, checked on random small elections with hypothesis."""

from collections.abc import Callable
from decimal import Decimal

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rankandfile.counting.blt import Election
from rankandfile.counting.ers97 import count_ers97
from rankandfile.counting.irv import count_irv
from rankandfile.counting.meek import count_meek
from rankandfile.counting.result import CountResult
from rankandfile.counting.scottish_stv import count_scottish_stv, count_scottish_stv_arrays

Counter = Callable[..., CountResult]
STV: dict[str, Counter] = {
    "scottish-stv": count_scottish_stv,
    "ers97": count_ers97,
    "meek": count_meek,
}
ALL: dict[str, Counter] = {**STV, "irv": count_irv}
NAMES = "ABCDEFG"
EXAMPLES = settings(max_examples=25, deadline=None)


@st.composite
def elections(draw: st.DrawFn, min_candidates: int = 2) -> Election:
    n = draw(st.integers(min_candidates, 6))
    seats = draw(st.integers(1, n))
    ranking = st.permutations(range(n)).flatmap(
        lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k]))
    )
    ballots = draw(st.dictionaries(ranking, st.integers(1, 30), min_size=1, max_size=10))
    return Election(tuple(NAMES[:n]), seats, ballots)


def stage_figures(result: CountResult) -> list[tuple[str, dict[str, Decimal], Decimal]]:
    return [(s.action, s.totals, s.non_transferable) for s in result.stages]


@EXAMPLES
@given(elections(), st.sampled_from(sorted(ALL)), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_ballot_order(election, method, rng) -> None:  # type: ignore[no-untyped-def]
    items = list(election.ballots.items())
    rng.shuffle(items)
    shuffled = Election(election.candidates, election.seats, dict(items))
    first, second = ALL[method](election, seed=1), ALL[method](shuffled, seed=1)
    assert first.elected == second.elected
    assert stage_figures(first) == stage_figures(second)


@EXAMPLES
@given(elections(), st.randoms(use_true_random=False))
def test_scottish_stv_on_raw_ballot_rows_in_any_order_matches_grouped_count(  # type: ignore[no-untyped-def]
    election, rng
) -> None:
    rows = [r for r, count in election.ballots.items() for _ in range(count)]
    rng.shuffle(rows)
    n = len(election.candidates)
    matrix = np.full((len(rows), n + 1), n, dtype=np.int8)
    for i, ranking in enumerate(rows):
        matrix[i, : len(ranking)] = ranking
    grouped = count_scottish_stv(election, seed=1)
    raw = count_scottish_stv_arrays(matrix, None, election.candidates, election.seats, seed=1)
    assert raw.elected == grouped.elected
    assert stage_figures(raw) == stage_figures(grouped)


@EXAMPLES
@given(elections(), st.sampled_from(sorted(ALL)), st.randoms(use_true_random=False))
def test_relabelling_candidates_relabels_the_result(election, method, rng) -> None:  # type: ignore[no-untyped-def]
    n = len(election.candidates)
    new_index = list(range(n))
    rng.shuffle(new_index)
    names = [""] * n
    for old, new in enumerate(new_index):
        names[new] = election.candidates[old]
    relabelled = Election(
        tuple(names),
        election.seats,
        {tuple(new_index[c] for c in r): k for r, k in election.ballots.items()},
    )
    first, second = ALL[method](election, seed=1), ALL[method](relabelled, seed=1)
    assume(not first.tie_breaks and not second.tie_breaks)
    assert set(first.elected) == set(second.elected)
    assert [s.totals for s in first.stages] == [s.totals for s in second.stages]


@EXAMPLES
@given(elections(), st.sampled_from(sorted(STV)))
def test_number_elected_equals_the_seats(election, method) -> None:  # type: ignore[no-untyped-def]
    result = STV[method](election, seed=1)
    assert len(result.elected) == election.seats
    assert len(set(result.elected)) == election.seats
    assert not set(result.elected) & set(result.excluded)


@EXAMPLES
@given(elections(), st.sampled_from(sorted(ALL)))
def test_votes_are_conserved_at_every_stage(election, method) -> None:  # type: ignore[no-untyped-def]
    result = ALL[method](election, seed=1)
    assert result.valid_votes == sum(election.ballots.values())
    for stage in result.stages:
        assert sum(stage.totals.values()) + stage.non_transferable == result.valid_votes
        assert all(total >= 0 for total in stage.totals.values())


@EXAMPLES
@given(elections(), st.sampled_from(sorted(STV)))
def test_a_quota_of_first_preferences_is_always_elected(election, method) -> None:  # type: ignore[no-untyped-def]
    result = STV[method](election, seed=1)
    valid, places = sum(election.ballots.values()), election.seats + 1
    quota = {  # each rule's quota at the first stage
        "scottish-stv": Decimal(valid // places + 1),
        "ers97": Decimal(-(-100 * valid // places)) / 100,
        "meek": Decimal(10**9 * valid // places + 1) / 10**9,
    }[method]
    first = result.stages[0].totals
    reached = [name for name, votes in first.items() if votes >= quota]
    # ERS97's quota is exactly votes / (seats + 1) when that divides evenly, so seats + 1
    # candidates can each hold exactly a quota (1 seat, 16 + 16 of 32 votes): then not all can
    # be elected, and the rule's tie-break decides. Otherwise every one of them is elected.
    if len(reached) <= election.seats:
        assert set(reached) <= set(result.elected)
    else:
        assert method == "ers97" and all(first[name] == quota for name in reached)
        assert len(result.elected) == election.seats


@EXAMPLES
@given(elections())
def test_irv_winner_with_a_first_round_majority_wins(election) -> None:  # type: ignore[no-untyped-def]
    result = count_irv(election, seed=1)
    first = result.stages[0].totals
    total = sum(first.values())
    leaders = [name for name, votes in first.items() if 2 * votes > total]
    if leaders:
        assert result.elected == (leaders[0],)
    assert len(result.elected) == 1
