"""Closing nominations makes the STV ballot: only accepted, seconded, not withdrawn candidates,
in the order of the recorded seeded shuffle; the ballot counts and recounts as any other."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from rankandfile.ballots.models import BallotBundle, BallotState, Choice, Nomination, Question
from rankandfile.ballots.nominations import (
    nomination_accept,
    nomination_create,
    nomination_second,
    nomination_withdraw,
    nominations_close,
    nominations_close_due,
)
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.counting.recount import recount_bundle
from tests.ballots.ballot_helpers import receipt_hash
from tests.nominations.nomination_helpers import branch_with_nominations
from tests.personas import MakeGroup, MakeMember


def test_only_accepted_seconded_candidates_who_stayed_reach_the_ballot_in_the_seeded_order(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group, members=8, seconders_needed=2)
    a, b, c, d, e, f, _, h = branch.members
    period = branch.period

    def stand(nominee: object, seconders: list[object], *, accept: bool = True) -> Nomination:
        nomination = nomination_create(period=period, nominator=h, nominee=nominee)  # type: ignore[arg-type]
        for seconder in seconders:
            nomination_second(nomination=nomination, seconder=seconder)  # type: ignore[arg-type]
        if accept:
            nomination_accept(nomination=nomination, nominee=nominee, statement=f"I am {nominee}.")  # type: ignore[arg-type]
        return nomination

    stand(a, [b, c])
    stand(b, [a, c])
    stand(c, [a, b])
    stand(d, [a])  # one seconder of the two needed
    withdrawn = stand(e, [a, b])
    nomination_withdraw(nomination=withdrawn, nominee=e)
    stand(f, [a, b], accept=False)  # never accepted

    ballot = nominations_close(period=period, actor=branch.organiser)
    assert ballot is not None and ballot.state == BallotState.OPEN
    period.refresh_from_db()
    assert period.ballot == ballot and period.closed_at is not None
    question = Question.objects.get(ballot=ballot)
    assert (question.text, question.method, question.seats) == (
        "Branch secretary",
        "scottish-stv",
        1,
    )
    on_ballot = list(Choice.objects.filter(question=question).values_list("name", flat=True))

    names = sorted([str(a), str(b), str(c)], key=lambda n: (n.casefold(), n))
    random.Random(period.shuffle_seed).shuffle(names)
    assert on_ballot == names
    assert str(d) not in on_ballot and str(e) not in on_ballot and str(f) not in on_ballot
    assert str(period.shuffle_seed) in ballot.description
    positions = dict(
        Nomination.objects.filter(period=period, ballot_position__isnull=False).values_list(
            "nominee__display_name", "ballot_position"
        )
    )
    assert positions == {name: n for n, name in enumerate(on_ballot, 1)}

    # The ballot counts as any other, and its bundle recounts.
    for voter in [*branch.members, branch.organiser]:
        ballot_cast(
            ballot=ballot, member=voter, receipt_hash=receipt_hash(), answers={"1": [1, 2, 3]}
        )
    ballot_close(ballot=ballot, actor=branch.organiser)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.PUBLISHED
    result = Question.objects.get(ballot=ballot).result
    assert result is not None and result["elected"] == [on_ballot[0]]
    problems, _ = recount_bundle(bytes(BallotBundle.objects.get(ballot=ballot).data))
    assert problems == []


def test_the_clock_closes_nominations_once_and_a_second_run_changes_nothing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    now = timezone.now()
    branch = branch_with_nominations(
        make_member, make_group, seconders_needed=0, closes_at=now + timedelta(hours=1)
    )
    a, b, *_ = branch.members
    for nominee, nominator in [(a, b), (b, a)]:
        nomination = nomination_create(period=branch.period, nominator=nominator, nominee=nominee)
        nomination_accept(nomination=nomination, nominee=nominee, statement="Vote for me.")
    assert nominations_close_due(now=now) == 0  # not yet
    later = now + timedelta(hours=2)
    assert nominations_close_due(now=later) == 1
    assert nominations_close_due(now=later) == 0
    branch.period.refresh_from_db()
    ballot = branch.period.ballot
    assert ballot is not None
    assert nominations_close(period=branch.period, actor=None, now=later) == ballot
    assert Question.objects.filter(ballot__nomination_period=branch.period).count() == 1


def test_no_more_candidates_than_seats_makes_no_ballot_and_says_why(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group, seats=2, seconders_needed=0)
    a, b, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=b, nominee=a)
    nomination_accept(nomination=nomination, nominee=a, statement="Vote for me.")
    assert nominations_close(period=branch.period, actor=branch.organiser) is None
    branch.period.refresh_from_db()
    assert branch.period.closed_at is not None and branch.period.ballot is None
    assert branch.period.outcome_note == "1 candidate for 2 seats: no ballot was needed."
