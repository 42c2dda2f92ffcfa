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

from rankandfile.counting.blt import Election
from rankandfile.counting.result import Action, CountLog, CountResult, TieBreak
from rankandfile.counting.ties import break_tie_backwards

RULE = "Instant-runoff (Commonwealth Electoral Act 1918 s274, optional preferences)"
RULE_VERSION = "1918"


def count_irv(election: Election, *, seed: int | None = None) -> CountResult:
    names = election.candidates
    n = len(names)
    log = CountLog(names, 0, seed)
    groups = sorted(election.rankings_for_count().items())
    valid = sum(count for _, count in groups)
    continuing = [c not in election.withdrawn for c in range(n)]
    history: list[list[int]] = []
    action: Action = "first-preferences"
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
        winner = leaders[:1]
        log.record(
            action, subject, votes, valid - live, elected=winner, excluded=subject, ties=ties
        )
        if winner or not standing:
            log.elected += winner
            break
        fewest = min(votes[c] for c in standing)
        tied = [c for c in standing if votes[c] == fewest]
        chosen, tie = break_tie_backwards(tied, history, "lowest", log.lot, names)
        ties = [tie] if tie else []
        continuing[chosen] = False
        log.excluded.append(chosen)
        action, subject = "exclusion", [chosen]
    return log.result("irv", RULE, RULE_VERSION, seats=1, quota=None, valid=valid)
