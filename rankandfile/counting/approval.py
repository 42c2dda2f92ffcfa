"""Approval voting with k winners (block approval).

Rule text: S. J. Brams and P. C. Fishburn, "Approval Voting", American Political Science Review
72(3), 1978: each voter approves any number of candidates; each approval is one vote for that
candidate; the k candidates with the most approvals are elected. A tie for the last place(s) is
settled by lot with a recorded seed (the tie-break is reported with the result).
"""

from __future__ import annotations

from rankandfile.counting.csvballots import ApprovalBallots
from rankandfile.counting.result import CountLog, CountResult, TieBreak

RULE = "Approval voting, k winners (Brams and Fishburn, 1978)"
RULE_VERSION = "1978"


def count_approval(
    ballots: ApprovalBallots, *, winners: int = 1, seed: int | None = None
) -> CountResult:
    names = ballots.candidates
    log = CountLog(names, 0, seed)
    approvals = [0] * len(names)
    for approved, count in ballots.ballots.items():
        for c in approved:
            approvals[c] += count
    order = sorted(range(len(names)), key=lambda c: (-approvals[c], c))
    places = min(winners, len(names))
    elected = order[:places]
    ties: list[TieBreak] = []
    if (
        places < len(names)
        and places > 0
        and approvals[order[places - 1]] == approvals[order[places]]
    ):
        level = approvals[order[places]]
        sure = [c for c in order if approvals[c] > level]
        tied = [c for c in order if approvals[c] == level]
        drawn: list[int] = []
        while len(sure) + len(drawn) < places:
            pick = log.lot.choose([c for c in tied if c not in drawn])
            drawn.append(pick)
        elected = sure + drawn
        ties.append(
            TieBreak(
                tuple(names[c] for c in sorted(tied)),
                ", ".join(names[c] for c in drawn),
                f"by lot (seed {log.lot.seed}): {len(tied)} candidates level on {level} approvals "
                f"for {places - len(sure)} place(s)",
            )
        )
    log.elected += elected
    abstained = ballots.ballots.get(frozenset(), 0)
    log.record("count", (), approvals, abstained, elected=elected, ties=ties)
    valid = sum(ballots.ballots.values())
    return log.result("approval", RULE, RULE_VERSION, seats=winners, quota=None, valid=valid)
