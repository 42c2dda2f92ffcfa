"""On PostgreSQL: twenty simultaneous submissions by one member leave exactly one paper in the
box, and closing waits for votes in flight."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from django.db import connection, connections

from rankandfile.ballots import services
from rankandfile.ballots.models import BallotPaper, RollEntry
from rankandfile.ballots.services import AlreadyVotedError, ballot_cast, ballot_close, ballot_open
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.concurrency import a_query_waits_for_a_lock, wait_until
from tests.personas import MakeGroup

# Under `make test` (pytest-xdist, --dist loadgroup) the tests of this group run one after
# another on a single worker: they race threads or processes against each other and time out.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one write transaction at a time, so it cannot race; CI runs this on "
        "PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.xdist_group("one_at_a_time"),
]


@pytest.mark.django_db(transaction=True)
def test_the_same_member_voting_twenty_times_at_once_casts_one_ballot(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    (voter,) = voters_make(group, 1)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote() -> None:
        try:
            start.wait()
            ballot_cast(
                ballot=ballot,
                member=voter,
                receipt_hash=receipt_hash(),
                answers={"1": "yes", "2": [1]},
            )
            outcome = "cast"
        except AlreadyVotedError:
            outcome = "already voted"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=vote) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already voted"] * 19 + ["cast"]
    assert BallotPaper.objects.filter(ballot=ballot).count() == 1
    assert RollEntry.objects.filter(ballot=ballot, has_voted=True).count() == 1
    assert RollEntry.objects.get(ballot=ballot, member=voter).has_voted


@pytest.mark.django_db(transaction=True)
def test_a_close_waits_for_a_vote_in_flight_so_no_paper_lands_after_the_count(
    make_group: MakeGroup, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    (voter,) = voters_make(group, 1)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    inside_cast, close_is_waiting = threading.Event(), threading.Event()
    original = services._ballot_for_cast

    def paused_ballot_for_cast(ballot_id: int) -> tuple[str, datetime, datetime]:
        found = original(ballot_id)  # holds FOR SHARE on the ballot row from here to commit
        inside_cast.set()
        close_is_waiting.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_ballot_for_cast", paused_ballot_for_cast)

    def vote() -> None:
        try:
            ballot_cast(
                ballot=ballot,
                member=voter,
                receipt_hash=receipt_hash(),
                answers={"1": "yes", "2": [1]},
            )
        finally:
            connections.close_all()

    def close() -> None:
        try:
            ballot_close(ballot=ballot, actor=organiser)
        finally:
            connections.close_all()

    caster = threading.Thread(target=vote)
    closer = threading.Thread(target=close)
    caster.start()
    try:
        assert inside_cast.wait(timeout=10)
        closer.start()
        # The close must block on the cast's lock; only then does the cast go on and commit.
        wait_until(a_query_waits_for_a_lock, what="the close waits for the vote in flight")
    finally:
        close_is_waiting.set()
        caster.join()
        if closer.ident is not None:
            closer.join()

    ballot.refresh_from_db()
    assert ballot.voted_count == 1
    assert BallotPaper.objects.filter(ballot=ballot).count() == 1
    yes_no = ballot.questions.get(position=1).result
    assert yes_no is not None and yes_no["stages"][0]["totals"]["yes"] == 1
