"""The rules of nominations: who may nominate, second, accept and withdraw, and when; the
500-word statement; one seconding per seconder and no self-nomination held by the database;
the nominee told of each nomination and seconding through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rankandfile.ballots.models import Nomination, Seconding
from rankandfile.ballots.nominations import (
    NominationError,
    nomination_accept,
    nomination_create,
    nomination_period_create,
    nomination_second,
    nomination_withdraw,
    nominations_close,
)
from rankandfile.notifications.models import Message
from tests.nominations.nomination_helpers import branch_with_nominations
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_a_member_cannot_nominate_themselves_and_the_database_refuses_it_too(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a = branch.members[0]
    with pytest.raises(NominationError, match="cannot nominate yourself"):
        nomination_create(period=branch.period, nominator=a, nominee=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(period=branch.period, nominee=a, nominated_by=a)


def test_only_members_nominate_are_nominated_and_second(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, c, *_ = branch.members
    outsider = make_member()
    with pytest.raises(NominationError, match="Only members of the group"):
        nomination_create(period=branch.period, nominator=outsider, nominee=a)
    with pytest.raises(NominationError, match="Only a member of the group can be nominated"):
        nomination_create(period=branch.period, nominator=a, nominee=outsider)
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    with pytest.raises(NominationError, match="already been nominated"):
        nomination_create(period=branch.period, nominator=c, nominee=b)
    with pytest.raises(NominationError, match="Only members of the group"):
        nomination_second(nomination=nomination, seconder=outsider)


def test_each_member_seconds_once_and_not_their_own_or_their_nominees(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, c, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    with pytest.raises(NominationError, match="your own nomination"):
        nomination_second(nomination=nomination, seconder=b)
    with pytest.raises(NominationError, match="You nominated this member"):
        nomination_second(nomination=nomination, seconder=a)
    assert nomination_second(nomination=nomination, seconder=c) == 1
    with pytest.raises(NominationError, match="already seconded"):
        nomination_second(nomination=nomination, seconder=c)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seconding.objects.create(nomination=nomination, seconder=c)
    assert Seconding.objects.filter(nomination=nomination).count() == 1


def test_the_nominee_is_told_of_the_nomination_and_each_seconding_through_the_outbox(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, c, d, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    nomination_second(nomination=nomination, seconder=c)
    nomination_second(nomination=nomination, seconder=d)
    told = Message.objects.filter(recipient=b).order_by("pk")
    assert list(told.values_list("template", flat=True)) == [
        "nomination_received",
        "nomination_seconded",
        "nomination_seconded",
    ]
    received = told.first()
    assert received is not None
    assert received.context["nominator_name"] == str(a)
    assert received.context["post"] == "Branch secretary"
    assert not Message.objects.exclude(recipient=b).filter(template__startswith="nomination")


def test_a_statement_of_500_words_is_accepted_and_one_of_501_refused(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    with pytest.raises(NominationError, match="at most 500 words; this one has 501"):
        nomination_accept(nomination=nomination, nominee=b, statement="word " * 501)
    nomination.refresh_from_db()
    assert nomination.accepted_at is None and nomination.statement == ""
    with pytest.raises(NominationError, match="at most 6,000 characters"):
        nomination_accept(nomination=nomination, nominee=b, statement="x" * 1_000_000)
    accepted = nomination_accept(nomination=nomination, nominee=b, statement="word " * 500)
    assert accepted.accepted_at is not None
    assert len(accepted.statement.split()) == 500


def test_only_the_nominee_accepts_or_withdraws_and_a_withdrawal_is_final(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a, b, c, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    with pytest.raises(NominationError, match="Only the member nominated can accept"):
        nomination_accept(nomination=nomination, nominee=a, statement="Me instead.")
    with pytest.raises(NominationError, match="Only the member nominated can withdraw"):
        nomination_withdraw(nomination=nomination, nominee=branch.organiser)
    nomination_accept(nomination=nomination, nominee=b, statement="I will serve.")
    nomination_withdraw(nomination=nomination, nominee=b)
    with pytest.raises(NominationError, match="withdrawn"):
        nomination_accept(nomination=nomination, nominee=b, statement="Back again.")
    with pytest.raises(NominationError, match="withdrawn"):
        nomination_second(nomination=nomination, seconder=c)


def test_nothing_changes_once_nominations_have_closed(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    closes = timezone.now() + timedelta(days=1)
    branch = branch_with_nominations(make_member, make_group, closes_at=closes)
    a, b, c, d, *_ = branch.members
    nomination = nomination_create(period=branch.period, nominator=a, nominee=b)
    after = closes + timedelta(minutes=1)
    with pytest.raises(NominationError, match="closed"):
        nomination_create(period=branch.period, nominator=a, nominee=c, now=after)
    with pytest.raises(NominationError, match="closed"):
        nomination_second(nomination=nomination, seconder=d, now=after)
    with pytest.raises(NominationError, match="closed"):
        nomination_accept(nomination=nomination, nominee=b, statement="Late.", now=after)
    with pytest.raises(NominationError, match="closed"):
        nomination_withdraw(nomination=nomination, nominee=b, now=after)


def test_only_organisers_open_and_close_early_and_the_clock_waits_for_the_time(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_with_nominations(make_member, make_group)
    a = branch.members[0]
    with pytest.raises(NominationError, match="Only the group's organisers can open"):
        nomination_period_create(
            organiser=a,
            group=branch.group,
            post="Chair",
            closes_at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(NominationError, match="cannot close in the past"):
        nomination_period_create(
            organiser=branch.organiser,
            group=branch.group,
            post="Chair",
            closes_at=timezone.now() - timedelta(minutes=1),
        )
    with pytest.raises(NominationError, match="Only the group's organisers can close"):
        nominations_close(period=branch.period, actor=a)
    with pytest.raises(NominationError, match="still open"):
        nominations_close(period=branch.period, actor=None)
    branch.period.refresh_from_db()
    assert branch.period.closed_at is None
