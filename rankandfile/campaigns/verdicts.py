"""The members' verdict at a stage's deadline: a secret yes/no ballot of that stage's pledgers.

It is an ordinary ballot of the ballots app (secret, receipts, published bundle), whose roll is
the stage's pledgers rather than a group's members.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from rankandfile.ballots.models import Ballot, BallotState, Method, Question
from rankandfile.ballots.services import (
    QuestionInput,
    ballot_create,
    ballot_open,
    ballot_text_printable,
)
from rankandfile.groups.models import Group


@transaction.atomic
def verdict_ballot_open(
    *,
    group: Group,
    title: str,
    question: str,
    quorum: int,
    opens_at: datetime,
    closes_at: datetime,
    member_ids: Sequence[int],
) -> Ballot:
    """Create the verdict ballot and open it at once with the pledgers as its frozen roll.

    ``quorum`` is in people, worked out from the stage's share of its pledgers: it is fixed
    here, with the roll, and told to the voters in the ballot's own text. Opening the ballot
    tells everyone on the roll that voting is open (the ballots app's own message).
    """
    ballot = ballot_create(
        creator=None,  # the platform calls it, at the stage's deadline
        group=group,
        # The title comes from the campaign's, which no ballot check has seen: what a ballot
        # refuses is dropped here, so that no title can stop the verdict from opening.
        title=ballot_text_printable(
            title, max_length=Ballot._meta.get_field("title").max_length or 0
        ),
        description=(
            "Only the members who pledged at this stage vote. The ballot is secret.\n\n"
            f"The verdict counts only if at least {quorum} of the {len(member_ids)} pledgers "
            "vote; if fewer vote, the demands are taken as not met."
        ),
        opens_at=opens_at,
        closes_at=closes_at,
        # Nobody may end the verdict before its time, and who was on it is not kept once it is
        # counted: the campaign needs only the outcome and the counts.
        closes_early_allowed=False,
        roll_kept_after_close=False,
        questions=[QuestionInput(text=question, method=Method.YESNO, quorum=quorum)],
    )
    return ballot_open(ballot=ballot, now=opens_at, member_ids=member_ids)


def verdict_outcome(ballot: Ballot) -> str | None:
    """ "carried", "not carried" or "inquorate" once counted; None while it is still running."""
    if ballot.state != BallotState.PUBLISHED:
        return None
    result = Question.objects.get(ballot=ballot, position=1).result or {}
    outcome = result.get("outcome")
    return str(outcome) if outcome is not None else None
