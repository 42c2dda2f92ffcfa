"""Scottish STV: the counting rules for Scottish local government elections.

Rule text: The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules
45 to 52, re-enacted with the same counting text in The Scottish Local Government Elections Order
2011 (SSI 2011/399), Schedule 1, where the rule numbers are one higher (46 to 53). Rule numbers
below are those of SSI 2007/42:

- rule 46 (quota): (number of valid papers / (vacancies + 1)) + 1, fractions disregarded, i.e.
  ``floor(V / (S + 1)) + 1``; rule 47: a candidate whose votes equal or exceed the quota is
  elected;
- rule 48 (transfer of ballot papers): a surplus is transferred by the weighted inclusive Gregory
  method: every paper the elected candidate holds goes to its next available preference at
  transfer value ``(surplus x value of the paper when received) / total votes of the
  candidate``, "calculated to five decimal places (any remainder being ignored)"; papers with no
  next available preference are non-transferable; the elected candidate keeps the quota;
- rule 49 (supplementary): with several surpluses the largest is transferred first; equal
  surpluses are separated by the candidates' votes at the most recent preceding stage at which
  they were unequal, and by lot if they were equal at every stage;
- rules 50-51 (exclusion): when no surplus remains, the candidate with the fewest votes is
  excluded and all their papers pass on at their current value; ties as above (fewest at the most
  recent preceding unequal stage, then lot);
- rule 52 (filling of last vacancies): when the number of continuing candidates equals the number
  of vacancies remaining unfilled, those candidates are elected and no further transfer is made.

Votes are held as int64 multiples of 0.00001, so the 5-decimal truncation is integer floor
division and every stage total is exact. Ballots are grouped by identical ranking and every paper
of a group travels together, so one stage costs a few vectorised passes over the groups.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from rankandfile.counting.blt import Election
from rankandfile.counting.papers import (
    IntArray,
    Parcels,
    group_identical_rows,
    rankings_to_arrays,
    sum_by_candidate,
)
from rankandfile.counting.result import Action, CountLog, CountResult, TieBreak
from rankandfile.counting.ties import break_tie_backwards, order_by_recent_stages

RULE = "Scottish STV (SSI 2007/42 Sch. 1 rules 45-52 = SSI 2011/399 Sch. 1 rules 46-53)"
RULE_VERSION = "2011"
PLACES = 5
UNIT = 10**PLACES


def count_scottish_stv(election: Election, *, seed: int | None = None) -> CountResult:
    matrix, counts = rankings_to_arrays(election.rankings_for_count(), len(election.candidates))
    return count_scottish_stv_arrays(
        matrix,
        counts,
        election.candidates,
        election.seats,
        seed=seed,
        already_grouped=True,
        withdrawn=election.withdrawn,
    )


def count_scottish_stv_arrays(
    matrix: npt.NDArray[np.integer],
    counts: IntArray | None,
    candidates: tuple[str, ...],
    seats: int,
    *,
    seed: int | None = None,
    already_grouped: bool = False,
    withdrawn: frozenset[int] = frozenset(),
) -> CountResult:
    """Count a padded ranking matrix (sentinel ``len(candidates)``; one row per ballot or group).

    Rows must have a first preference and must not rank ``withdrawn`` candidates. Identical rows
    are grouped first unless ``already_grouped``.
    """
    n = len(candidates)
    if not already_grouped:
        matrix, counts = group_identical_rows(matrix, counts, n)
    if counts is None:
        counts = np.ones(matrix.shape[0], dtype=np.int64)
    parcels = Parcels(matrix, counts, n)
    log = CountLog(candidates, PLACES, seed)

    valid = int(counts.sum())
    quota = (valid // (seats + 1) + 1) * UNIT
    value: IntArray = np.full(len(counts), UNIT, dtype=np.int64)
    totals = sum_by_candidate(parcels.holder, counts * UNIT, n + 1)
    continuing = np.ones(n + 1, dtype=bool)  # the sentinel stays "continuing" so papers stop
    continuing[list(withdrawn)] = False
    history: list[list[int]] = []
    awaiting_surplus: list[int] = []
    lost_to_rounding = 0  # the remainders ignored in 5-place transfer values (rule 48)

    def record(action: Action, subject: list[int], newly: list[int], ties: list[TieBreak]) -> None:
        row = [int(t) for t in totals[:n]]
        history.append(row)
        excluded = subject if action == "exclusion" else []
        non_transferable = int(totals[n]) + lost_to_rounding
        log.record(
            action, subject, row, non_transferable, elected=newly, excluded=excluded, ties=ties
        )

    def elect_reaching_quota() -> list[int]:
        reaching = [c for c in range(n) if continuing[c] and totals[c] >= quota]
        reaching = order_by_recent_stages(reaching, [int(t) for t in totals[:n]], history)
        reaching = reaching[: seats - len(log.elected)]
        for c in reaching:
            continuing[c] = False
            log.elected.append(c)
            if totals[c] > quota:
                awaiting_surplus.append(c)
        return reaching

    def fill_last_vacancies() -> list[int]:
        remaining = [c for c in range(n) if continuing[c]]
        if not remaining or len(remaining) > seats - len(log.elected):
            return []
        remaining = order_by_recent_stages(remaining, [int(t) for t in totals[:n]], history)
        for c in remaining:
            continuing[c] = False
            log.elected.append(c)
        return remaining

    def transfer(rows: IntArray, transfer_values: IntArray | None) -> int:
        """Move these papers on; returns the value moved (exhausted papers included)."""
        if transfer_values is not None:
            value[rows] = transfer_values
        destinations = parcels.advance(rows, continuing)
        moved = sum_by_candidate(destinations, counts[rows] * value[rows], n + 1)
        totals[:] += moved
        return int(moved.sum())

    newly = elect_reaching_quota()
    newly += fill_last_vacancies()
    record("first-preferences", [], newly, [])

    while len(log.elected) < seats and (awaiting_surplus or continuing[:n].any()):
        ties: list[TieBreak] = []
        action: Action
        if awaiting_surplus:
            surpluses = {c: int(totals[c]) - quota for c in awaiting_surplus}
            largest = max(surpluses.values())
            tied = [c for c in awaiting_surplus if surpluses[c] == largest]
            chosen, tie = break_tie_backwards(tied, history, "highest", log.lot, candidates)
            if tie:
                ties.append(tie)
            awaiting_surplus.remove(chosen)
            total = int(totals[chosen])
            rows = parcels.held_by(chosen)
            # Rule 48: transfer value = surplus x value / total, to 5 places, remainder ignored.
            moved = transfer(rows, ((total - quota) * value[rows]) // total)
            totals[chosen] = quota
            lost_to_rounding += total - quota - moved
            action, subject = "surplus", [chosen]
        else:
            standing = [c for c in range(n) if continuing[c]]
            fewest = min(int(totals[c]) for c in standing)
            tied = [c for c in standing if totals[c] == fewest]
            chosen, tie = break_tie_backwards(tied, history, "lowest", log.lot, candidates)
            if tie:
                ties.append(tie)
            continuing[chosen] = False
            log.excluded.append(chosen)
            transfer(parcels.held_by(chosen), None)
            totals[chosen] = 0
            action, subject = "exclusion", [chosen]
        newly = elect_reaching_quota()
        newly += fill_last_vacancies()
        record(action, subject, newly, ties)

    return log.result(
        "scottish-stv", RULE, RULE_VERSION, seats=seats, quota=quota, valid=valid * UNIT
    )
