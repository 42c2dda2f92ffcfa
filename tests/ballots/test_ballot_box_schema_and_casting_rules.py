"""The ballot box keeps no link to voters; one member, one vote; the roll is frozen and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.audit.services import AuditDetailsError, audit_record
from rankandfile.ballots.models import Ballot, BallotPaper, BallotState, RollEntry
from rankandfile.ballots.services import (
    AlreadyVotedError,
    BallotError,
    BallotNotOpenError,
    InvalidAnswersError,
    ReceiptError,
    RollFrozenError,
    ballot_cast,
    ballot_close,
    ballot_open,
    ballots_close_due,
    ballots_open_due,
)
from rankandfile.groups.services import group_join, membership_leave
from rankandfile.notifications.models import Message
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup, MakeMember

GOOD = {"1": "yes", "2": [2, 1]}


def test_the_ballot_box_table_has_no_member_key_no_time_and_no_sequential_id(db: None) -> None:
    table = BallotPaper._meta.db_table
    introspection = connection.introspection
    with connection.cursor() as cursor:
        description = introspection.get_table_description(cursor, table)
        relations = introspection.get_relations(cursor, table)
        primary_key = introspection.get_primary_key_column(cursor, table)
    columns = {d.name: introspection.get_field_type(d.type_code, d) for d in description}
    assert set(columns) == {"receipt_hash", "ballot_id", "contents"}
    assert primary_key == "receipt_hash"
    assert columns["receipt_hash"] == "CharField"
    assert not {"DateTimeField", "DateField", "TimeField", "DurationField"} & set(columns.values())
    assert not {"AutoField", "BigAutoField", "SmallAutoField"} & set(columns.values())
    linked_tables = {relation[1] for relation in relations.values()}
    assert linked_tables == {Ballot._meta.db_table}
    assert User._meta.db_table not in linked_tables


def test_the_roll_has_a_unique_constraint_per_ballot_and_member(db: None) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, RollEntry._meta.db_table)
    unique = [c["columns"] for c in constraints.values() if c["unique"] and not c["primary_key"]]
    assert ["ballot_id", "member_id"] in unique


def test_opening_freezes_the_roll_from_the_electorate_in_one_go(
    make_group: MakeGroup, make_member: MakeMember, django_assert_max_num_queries: object
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voters = voters_make(group, 30)
    outsider = make_member()
    ballot = ballot_make(organiser=organiser, group=group)
    # Roll and "voting is open" messages are written in bulk: the count does not grow with the
    # electorate.
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        ballot_open(ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN
    assert ballot.roll_size == 31
    on_roll = set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    assert on_roll == {organiser.pk, *(v.pk for v in voters)}
    assert outsider.pk not in on_roll
    opened = Message.objects.filter(template="ballot_opened")
    assert set(opened.values_list("recipient_id", flat=True)) == on_roll

    # Joining or leaving the group after opening does not change the roll.
    group_join(group=group, member=outsider)
    membership_leave(group=group, member=voters[0])
    assert RollEntry.objects.filter(ballot=ballot).count() == 31
    with pytest.raises(RollFrozenError):
        ballot_cast(ballot=ballot, member=outsider, receipt_hash=receipt_hash(), answers=GOOD)
    ballot_cast(ballot=ballot, member=voters[0], receipt_hash=receipt_hash(), answers=GOOD)


def test_one_member_one_vote_and_the_paper_holds_only_the_answers(make_group: MakeGroup) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    receipt = receipt_hash()
    paper = ballot_cast(ballot=ballot, member=organiser, receipt_hash=receipt, answers=GOOD)
    assert paper.pk == receipt
    assert BallotPaper.objects.get().contents == {"1": "yes", "2": [2, 1]}
    assert RollEntry.objects.get(ballot=ballot, member=organiser).has_voted
    with pytest.raises(AlreadyVotedError):
        ballot_cast(ballot=ballot, member=organiser, receipt_hash=receipt_hash(), answers=GOOD)
    assert BallotPaper.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"1": "maybe", "2": [1]}, "question 1: choose yes, no or abstain"),
        ({"1": "yes", "2": [1, 1]}, "question 2: each candidate can be chosen only once"),
        ({"1": "yes", "2": [4]}, "question 2: candidate numbers must be 1 to 3"),
        ({"1": "yes", "2": "Ann"}, "question 2: expected a list of candidate numbers"),
        ({"1": "yes"}, "question 2: expected a list of candidate numbers"),
        ({"1": "yes", "2": [1], "9": "yes"}, "there is no question '9'"),
    ],
)
def test_bad_answers_get_a_clear_error_and_write_nothing(
    make_group: MakeGroup, answers: dict[str, object], message: str
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    with pytest.raises(InvalidAnswersError, match=message):
        ballot_cast(ballot=ballot, member=organiser, receipt_hash=receipt_hash(), answers=answers)
    assert not BallotPaper.objects.exists()
    assert not RollEntry.objects.get(ballot=ballot, member=organiser).has_voted


def test_a_missing_or_reused_receipt_hash_is_refused_and_the_roll_left_unmarked(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    (voter,) = voters_make(group, 1)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    for bad in ("", "abc", "G" * 64, receipt_hash().upper()):
        with pytest.raises(ReceiptError):
            ballot_cast(ballot=ballot, member=voter, receipt_hash=bad, answers=GOOD)
    receipt = receipt_hash()
    ballot_cast(ballot=ballot, member=organiser, receipt_hash=receipt, answers=GOOD)
    with pytest.raises(ReceiptError, match="already in use"):
        ballot_cast(ballot=ballot, member=voter, receipt_hash=receipt, answers=GOOD)
    assert not RollEntry.objects.get(ballot=ballot, member=voter).has_voted
    assert BallotPaper.objects.count() == 1


def test_no_vote_before_opening_or_after_the_closing_time(make_group: MakeGroup) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    draft = ballot_make(organiser=organiser, group=group)
    with pytest.raises(BallotNotOpenError):
        ballot_cast(ballot=draft, member=organiser, receipt_hash=receipt_hash(), answers=GOOD)
    ballot = ballot_open(ballot=draft)
    late = ballot.closes_at + timedelta(seconds=1)
    with pytest.raises(BallotNotOpenError):
        ballot_cast(
            ballot=ballot, member=organiser, receipt_hash=receipt_hash(), answers=GOOD, now=late
        )
    assert not BallotPaper.objects.exists()


def test_only_an_organiser_closes_early_and_results_exist_only_after_the_close(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voters = voters_make(group, 4)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    for voter, answer in zip(voters, ["yes", "yes", "no", "abstain"], strict=True):
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": answer, "2": [1, 2]},
        )
    assert all(q.result is None for q in ballot.questions.all())
    with pytest.raises(BallotError, match="only an organiser"):
        ballot_close(ballot=ballot, actor=voters[0])
    ballot_close(ballot=ballot, actor=organiser)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.PUBLISHED
    assert (ballot.roll_size, ballot.voted_count) == (5, 4)
    yesno, stv = ballot.questions.order_by("position")
    assert yesno.result is not None and stv.result is not None
    assert yesno.result["outcome"] == "carried"
    assert yesno.result["stages"][0]["totals"] == {"yes": 2, "no": 1, "abstain": 1}
    assert stv.result["elected"][0] == "Ann"
    with pytest.raises(BallotNotOpenError):
        ballot_cast(ballot=ballot, member=organiser, receipt_hash=receipt_hash(), answers=GOOD)


def test_anyone_may_close_once_the_closing_time_has_passed(make_group: MakeGroup) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    assert Ballot.objects.get().state == BallotState.PUBLISHED
    assert timezone.now() < ballot.closes_at


@pytest.mark.parametrize(
    "details",
    [{"email": "x"}, {"contents": "yes"}, {"answers": "1"}, {"note": "ann@example.org"}],
)
def test_the_audit_log_refuses_emails_and_ballot_contents(
    db: None, details: dict[str, str]
) -> None:
    with pytest.raises(AuditDetailsError):
        audit_record(actor=None, action="x", target_type="ballot", target_id=1, details=details)
    assert not AuditEntry.objects.exists()


def test_the_due_jobs_open_and_close_each_ballot_exactly_once(make_group: MakeGroup) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_make(organiser=organiser, group=group)
    assert ballots_open_due() == 1
    assert ballots_open_due() == 0
    assert ballots_close_due() == 0  # not yet at the closing time
    later = ballot.closes_at + timedelta(minutes=1)
    assert ballots_close_due(now=later) == 1
    assert ballots_close_due(now=later) == 0
    ballot.refresh_from_db()
    assert ballot.state == BallotState.PUBLISHED
