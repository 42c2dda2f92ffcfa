"""Instant-runoff voting (the alternative vote): one winner from ranked ballots.

Rule text followed: the Commonwealth Electoral Act 1918 (Australia), section 274 (scrutiny of
preferential votes), with optional preferential voting as in Algorithm 123's single-seat case:

- each ballot counts for its highest-ranked continuing candidate; ballots with no continuing
  candidate left are exhausted and set aside;
- a candidate with more than half of the ballots not exhausted (an absolute majority of the
  continuing vote) is elected, as is the last continuing candidate;
- otherwise the candidate with the fewest votes is excluded and their ballots pass to the next
  continuing preference; a tie for fewest is settled by the most recent preceding round at which
  the tied candidates' totals differed, then by lot with a recorded seed.

Counts are integers.
"""

from __future__ import annotations

from decimal import Decimal

from rankandfile.counting.blt import Election
from rankandfile.counting.result import CountResult, Lot, Stage, TieBreak
from rankandfile.counting.ties import break_tie_backwards

RULE = "Instant-runoff (Commonwealth Electoral Act 1918 s274, optional preferences)"
RULE_VERSION = "1918"


def count_irv(election: Election, *, seed: int | None = None) -> CountResult:
    names = election.candidates
    n = len(names)
    lot = Lot(seed)
    groups = sorted(election.rankings_for_count().items())
    valid = sum(count for _, count in groups)
    continuing = [c not in election.withdrawn for c in range(n)]
    excluded: list[int] = []
    history: list[list[int]] = []
    stages: list[Stage] = []
    winner: int | None = None
    action = "first-preferences"
    subject: list[int] = []
    ties: list[TieBreak] = []
    while True:
        votes = [0] * n
        for ranking, count in groups:
            for c in ranking:
                if continuing[c]:
                    votes[c] += count
                    break
        live = sum(votes)
        history.append(votes)
        standing = [c for c in range(n) if continuing[c]]
        leaders = [c for c in standing if 2 * votes[c] > live]
        if len(standing) == 1:
            leaders = standing
        winner = leaders[0] if leaders else None
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,  # type: ignore[arg-type]
                subject=tuple(names[c] for c in subject),
                totals={names[c]: Decimal(votes[c]) for c in range(n)},
                non_transferable=Decimal(valid - live),
                elected=(names[winner],) if winner is not None else (),
                excluded=tuple(names[c] for c in subject),
                tie_breaks=tuple(ties),
            )
        )
        if winner is not None or not standing:
            break
        fewest = min(votes[c] for c in standing)
        tied = [c for c in standing if votes[c] == fewest]
        chosen, tie = break_tie_backwards(tied, history, "lowest", lot, names)
        ties = [tie] if tie else []
        continuing[chosen] = False
        excluded.append(chosen)
        action, subject = "exclusion", [chosen]
    return CountResult(
        method="irv",
        rule=RULE,
        rule_version=RULE_VERSION,
        seats=1,
        quota=None,
        candidates=names,
        elected=(names[winner],) if winner is not None else (),
        excluded=tuple(names[c] for c in excluded),
        stages=tuple(stages),
        valid_votes=Decimal(valid),
        seed=lot.seed,
    )
