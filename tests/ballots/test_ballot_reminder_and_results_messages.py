from __future__ import annotations

from datetime import timedelta

import pytest

from rankandfile.ballots.services import (
    ballot_cast,
    ballot_close,
    ballot_open,
    ballots_remind_due,
)
from rankandfile.notifications.models import Message
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup, MakeMember


def _keys(ballot_id: int, event: str) -> set[int]:
    return set(
        Message.objects.filter(key__startswith=f"ballot:{ballot_id}:{event}:").values_list(
            "recipient_id", flat=True
        )
    )


@pytest.mark.django_db
def test_a_day_before_the_close_only_those_who_have_not_voted_are_reminded_once(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    voters = voters_make(group, 3)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, hours_open=72))
    ballot_cast(
        ballot=ballot,
        member=voters[0],
        receipt_hash=receipt_hash(),
        answers={"1": "yes", "2": [1, 2]},
    )
    assert _keys(ballot.pk, "opened") == {organiser.pk, *(v.pk for v in voters)}

    assert ballots_remind_due(now=ballot.closes_at - timedelta(hours=30)) == 0
    reminded_at = ballot.closes_at - timedelta(hours=23)
    assert ballots_remind_due(now=reminded_at) == 3
    assert ballots_remind_due(now=reminded_at + timedelta(minutes=1)) == 0
    assert _keys(ballot.pk, "reminder") == {organiser.pk, voters[1].pk, voters[2].pk}
    assert {m.template for m in Message.objects.filter(key__contains=":reminder:")} == {
        "ballot_reminder"
    }


@pytest.mark.django_db
def test_everyone_on_the_roll_is_told_when_results_are_published(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    voters = voters_make(group, 2)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    assert not _keys(ballot.pk, "results")
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    assert _keys(ballot.pk, "results") == {organiser.pk, *(v.pk for v in voters)}
    message = Message.objects.filter(key__startswith=f"ballot:{ballot.pk}:results:").first()
    assert message is not None and message.context["results_url"].endswith("/results/")
