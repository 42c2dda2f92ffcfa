"""Meek STV: I. D. Hill, B. A. Wichmann and D. R. Woodall, "Algorithm 123: Single Transferable
Vote by Meek's method", The Computer Journal 30(3), 1987, in the fixed-point form of the New
Zealand variant (Local Electoral Regulations 2001, Schedule 1A; I. D. Hill, "Implementing STV by
Meek's method", Voting matters 22, 2006).

- Every candidate has a keep value: 1 while hopeful, 0 once excluded, and for an elected candidate
  the fraction of each vote reaching them that they keep. A vote of weight w reaching a candidate
  with keep value k leaves ``w x k`` (rounded up to the working precision) with them and passes
  the rest on; what is left after the last preference is excess.
- quota = (total votes - excess) / (seats + 1), truncated to the working precision, plus one unit
  of that precision.
- Iteration: each elected candidate's keep value becomes ``k x quota / votes``, rounded up; repeat
  until the total surplus of the elected is below the tolerance, or a hopeful candidate reaches the
  quota. Then every hopeful at or above the quota is elected; if none is, the hopeful with the
  fewest votes is excluded. Ties: "ahead at first difference" (the earliest stage at which the
  tied candidates' votes differed, as in the NZ Schedule 1A, Part 5), then lot from this package's
  seeded generator (not the NZ pseudo-random number method).
- When hopefuls are no more than the places left they are all elected.

Precision options (the NZ variant's choices by default): ``decimals=9`` digits of fixed point,
products and keep values rounded up, ``tolerance`` of 0.000001 on the total surplus.
"""

from __future__ import annotations

from decimal import Decimal

from rankandfile.counting.blt import Election
from rankandfile.counting.result import Action, CountLog, CountResult, TieBreak, to_decimal
from rankandfile.counting.ties import break_tie_backwards, order_by_recent_stages

RULE = "Meek STV (Hill, Wichmann and Woodall, Algorithm 123, 1987; NZ fixed-point variant)"
RULE_VERSION = "NZ 2006"
MAX_ITERATIONS = 1000


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def count_meek(
    election: Election,
    *,
    seed: int | None = None,
    decimals: int = 9,
    tolerance: Decimal = Decimal("0.000001"),
) -> CountResult:
    names = election.candidates
    n = len(names)
    seats = election.seats
    unit: int = 10**decimals
    tol = int(tolerance * unit)
    log = CountLog(names, decimals, seed)
    groups = sorted(election.rankings_for_count().items())
    valid: int = sum(count for _, count in groups) * unit
    HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2
    state = [EXCLUDED if c in election.withdrawn else HOPEFUL for c in range(n)]
    keep = [0 if state[c] == EXCLUDED else unit for c in range(n)]
    history: list[list[int]] = []

    def distribute() -> tuple[list[int], int]:
        votes = [0] * n
        excess = 0
        for ranking, count in groups:
            weight = unit
            for c in ranking:
                if keep[c] == 0:
                    continue
                kept = weight if keep[c] == unit else _ceil_div(weight * keep[c], unit)
                votes[c] += kept * count
                weight -= kept
                if weight <= 0:
                    break
            excess += max(weight, 0) * count
        return votes, excess

    def quota_for(excess: int) -> int:
        return (valid - excess) // (seats + 1) + 1

    def converge() -> tuple[list[int], int, int, int]:
        iterations = 0
        while True:
            votes, excess = distribute()
            quota = quota_for(excess)
            iterations += 1
            surplus = sum(max(votes[c] - quota, 0) for c in log.elected)
            if surplus < tol or iterations >= MAX_ITERATIONS:
                return votes, excess, quota, iterations
            if any(state[c] == HOPEFUL and votes[c] >= quota for c in range(n)):
                return votes, excess, quota, iterations
            for c in log.elected:
                if votes[c] > 0:
                    keep[c] = min(_ceil_div(keep[c] * quota, votes[c]), unit)

    def elect(votes: list[int], quota: int) -> list[int]:
        hopeful = [c for c in range(n) if state[c] == HOPEFUL]
        reaching = [c for c in hopeful if votes[c] >= quota]
        if len(hopeful) <= seats - len(log.elected):
            reaching = hopeful
        newly = order_by_recent_stages(reaching, votes, history)[: seats - len(log.elected)]
        for c in newly:
            state[c] = ELECTED
            log.elected.append(c)
        return newly

    action: Action = "first-preferences"
    subject: list[int] = []
    ties: list[TieBreak] = []
    quota = 0
    while True:
        votes, excess, quota, iterations = converge()
        newly = elect(votes, quota)
        history.append(votes)
        note = f"quota {to_decimal(quota, decimals):f} after {iterations} iteration(s)"
        excluded = subject if action == "exclusion" else []
        log.record(
            action, subject, votes, excess, elected=newly, excluded=excluded, ties=ties, note=note
        )
        hopeful = [c for c in range(n) if state[c] == HOPEFUL]
        if len(log.elected) >= seats or not hopeful:
            break
        ties = []
        if newly:
            action, subject = "surplus", newly
            continue
        fewest = min(votes[c] for c in hopeful)
        tied = [c for c in hopeful if votes[c] == fewest]
        chosen, tie = break_tie_backwards(tied, history, "lowest", log.lot, names, forwards=True)
        if tie:
            ties.append(tie)
        state[chosen] = EXCLUDED
        keep[chosen] = 0
        log.excluded.append(chosen)
        action, subject = "exclusion", [chosen]

    extra = {"decimals": str(decimals), "tolerance": str(tolerance)}
    return log.result(
        "meek", RULE, RULE_VERSION, seats=seats, quota=quota, valid=valid, extra=extra
    )
