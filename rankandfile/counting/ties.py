"""Tie-breaking shared by the rules: by earlier stages of the count, then by lot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rankandfile.counting.result import Lot, TieBreak


def break_tie_backwards(
    tied: list[int],
    history: Sequence[Sequence[int]],
    want: Literal["highest", "lowest"],
    lot: Lot,
    candidates: Sequence[str],
    *,
    forwards: bool = False,
) -> tuple[int, TieBreak | None]:
    """Choose one of ``tied`` (equal at the current stage, ``history[-1]``).

    By default the most recent preceding stage at which their totals differ decides (SSI 2007/42
    Sch. 1 rules 49 and 51); with ``forwards`` the earliest stage does (ERS97 5.2.3 and 5.2.5).
    Candidates still level after every stage are separated by ``lot``. Returns the chosen
    candidate and a record of the tie-break, or None if there was no tie.
    """
    if len(tied) == 1:
        return tied[0], None
    names = tuple(candidates[c] for c in sorted(tied))
    remaining = list(tied)
    preceding = list(enumerate(history[:-1], start=1))
    if not forwards:
        preceding.reverse()
    for stage_number, totals in preceding:
        pick = max if want == "highest" else min
        target = pick(totals[c] for c in remaining)
        narrowed = [c for c in remaining if totals[c] == target]
        if len(narrowed) < len(remaining):
            remaining = narrowed
            if len(remaining) == 1:
                reason = f"{want} total at stage {stage_number}, the "
                reason += "earliest" if forwards else "most recent preceding"
                reason += " stage at which the tied candidates' totals differed"
                return remaining[0], TieBreak(names, candidates[remaining[0]], reason)
    chosen = lot.choose(remaining)
    reason = f"by lot (seed {lot.seed}): totals equal at every preceding stage"
    return chosen, TieBreak(names, candidates[chosen], reason)


def order_by_recent_stages(
    chosen: list[int], current: Sequence[int], history: Sequence[Sequence[int]]
) -> list[int]:
    """Order candidates by current total, highest first, then by the most recent earlier stage."""

    def key(c: int) -> tuple[int, ...]:
        return (-current[c], *(-stage[c] for stage in reversed(history)), c)

    return sorted(chosen, key=key)
