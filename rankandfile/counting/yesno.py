"""Yes/no questions with a quorum and a majority threshold.

Rule text: Robert's Rules of Order Newly Revised, 12th edition (2020): 3:3 and 40:1 (a quorum is
the minimum number of members who must be present; here, ballots returned, abstentions included),
44:1 (a majority is more than half of the votes cast, blanks and abstentions excluded) and 44:3
(a two-thirds vote is at least two thirds of the votes cast, abstentions excluded).

The outcome is ``inquorate`` when fewer than ``quorum`` ballots were returned, else ``carried``
when yes > no (simple) or 3 x yes >= 2 x (yes + no) with at least one yes (two-thirds), else
``not carried``. Integers only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from rankandfile.counting.csvballots import YesNoBallots
from rankandfile.counting.result import CountResult, Stage

RULE = "Yes/no with quorum (Robert's Rules of Order Newly Revised, 12th ed., 40:1, 44:1-44:3)"
RULE_VERSION = "RONR 12"
Majority = Literal["simple", "two-thirds"]


def count_yesno(
    ballots: YesNoBallots, *, quorum: int = 0, majority: Majority = "simple"
) -> CountResult:
    yes, no, abstain = ballots.yes, ballots.no, ballots.abstain
    returned = yes + no + abstain
    if returned < quorum:
        outcome = "inquorate"
    elif majority == "simple":
        outcome = "carried" if yes > no else "not carried"
    else:
        outcome = "carried" if yes > 0 and 3 * yes >= 2 * (yes + no) else "not carried"
    note = (
        f"{returned} ballots returned (quorum {quorum}); {yes + no} votes cast, abstentions "
        f"counting towards the quorum only; {majority} majority required"
    )
    stage = Stage(
        number=1,
        action="count",
        subject=(ballots.question,),
        totals={"yes": Decimal(yes), "no": Decimal(no), "abstain": Decimal(abstain)},
        non_transferable=Decimal(0),
        note=note,
    )
    return CountResult(
        method="yesno",
        rule=RULE,
        rule_version=RULE_VERSION,
        seats=0,
        quota=None,
        candidates=("yes", "no", "abstain"),
        elected=("yes",) if outcome == "carried" else (),
        excluded=(),
        stages=(stage,),
        valid_votes=Decimal(returned),
        outcome=outcome,
        extra={"quorum": str(quorum), "majority": majority, "question": ballots.question},
    )
