"""Nothing in how the database stores the ballot box links a paper to the roll entry marked with
it: no rowid on SQLite; on PostgreSQL, after the close, no shared transaction id (xmin) and no
physical order but the receipt hashes'."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_close, ballot_open
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="The rowid is SQLite's; PostgreSQL has none."
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="xmin and ctid are PostgreSQL's system columns; SQLite has neither (CI runs this on "
    "PostgreSQL with DATABASE_URL=postgres://...)",
)


@sqlite_only
@pytest.mark.django_db
def test_on_sqlite_the_ballot_box_has_no_rowid() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ballots_ballotpaper'"
        )
        (create,) = cursor.fetchone()
        assert create.rstrip().endswith("WITHOUT ROWID")
        with pytest.raises(DatabaseError, match="rowid"), transaction.atomic():
            cursor.execute("SELECT rowid FROM ballots_ballotpaper")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_close_leaves_no_shared_transaction_id_or_casting_order(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voters = [organiser, *voters_make(group, 7)]
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            questions=[QuestionInput(text="Strike?", method="yesno")],
        )
    )
    for voter in voters:  # each vote commits in its own transaction
        ballot_cast(ballot=ballot, member=voter, receipt_hash=receipt_hash(), answers={"1": "yes"})

    def xmins(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE ballot_id = %s", [ballot.pk])
            return {xmin for (xmin,) in cursor.fetchall()}

    # While voting is open a vote's roll mark and paper share a transaction id (this is what
    # the close removes).
    assert xmins("ballots_ballotpaper") & xmins("ballots_rollentry")

    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at + timedelta(seconds=1))
    papers = xmins("ballots_ballotpaper")
    assert len(papers) == 1  # every paper written again by the close's transaction
    (close,) = papers
    assert xmins("ballots_rollentry") == {close}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT receipt_hash FROM ballots_ballotpaper WHERE ballot_id = %s ORDER BY ctid",
            [ballot.pk],
        )
        stored = [receipt for (receipt,) in cursor.fetchall()]
    assert len(stored) == len(voters)
    assert stored == sorted(stored)
