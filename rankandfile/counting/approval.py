"""Approval voting with k winners (block approval).

Rule text: S. J. Brams and P. C. Fishburn, "Approval Voting", American Political Science Review
72(3), 1978: each voter approves any number of candidates; each approval is one vote for that
candidate; the k candidates with the most approvals are elected. A tie for the last place(s) is
settled by lot with a recorded seed (the tie-break is reported with the result).
"""

from __future__ import annotations

from decimal import Decimal

from rankandfile.counting.csvballots import ApprovalBallots
from rankandfile.counting.result import CountResult, Lot, Stage, TieBreak

RULE = "Approval voting, k winners (Brams and Fishburn, 1978)"
RULE_VERSION = "1978"


def count_approval(
    ballots: ApprovalBallots, *, winners: int = 1, seed: int | None = None
) -> CountResult:
    names = ballots.candidates
    lot = Lot(seed)
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
            pick = lot.choose([c for c in tied if c not in drawn])
            drawn.append(pick)
        elected = sure + drawn
        ties.append(
            TieBreak(
                tuple(names[c] for c in sorted(tied)),
                ", ".join(names[c] for c in drawn),
                f"by lot (seed {lot.seed}): {len(tied)} candidates level on {level} approvals "
                f"for {places - len(sure)} place(s)",
            )
        )
    stage = Stage(
        number=1,
        action="count",
        subject=(),
        totals={names[c]: Decimal(approvals[c]) for c in range(len(names))},
        non_transferable=Decimal(ballots.ballots.get(frozenset(), 0)),
        elected=tuple(names[c] for c in elected),
        tie_breaks=tuple(ties),
    )
    return CountResult(
        method="approval",
        rule=RULE,
        rule_version=RULE_VERSION,
        seats=winners,
        quota=None,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        excluded=(),
        stages=(stage,),
        valid_votes=Decimal(sum(ballots.ballots.values())),
        seed=lot.seed,
    )
