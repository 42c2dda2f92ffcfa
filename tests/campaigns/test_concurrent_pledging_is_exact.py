from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Event

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections, transaction

from rankandfile.accounts.models import User
from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import Pledge, RegionTally, Stage, StageState
from rankandfile.campaigns.services import (
    AlreadyPledgedError,
    PledgingClosedError,
    pledge_create,
    stage_resolve_deadline,
)
from tests.concurrency import a_query_waits_for_a_lock, wait_until
from tests.personas import MakeCampaign

PLEDGERS = 200

# Under `make test` (pytest-xdist, --dist loadgroup) the tests of this group run one after
# another on a single worker: they race threads or processes against each other and time out.
pytestmark = pytest.mark.xdist_group("one_at_a_time")


def _members(n: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"crowd{i}@example.org", display_name=f"Crowd {i}", postcode_district=d)
        for i, d in zip(range(n), ["LS6", "M14", "E8", "G42"] * n, strict=False)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    return users


@pytest.mark.django_db(transaction=True)
def test_200_members_pledging_at_once_give_an_exact_count(make_campaign: MakeCampaign) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    stage = make_campaign(people=10).stages.get(number=1)
    members = _members(PLEDGERS)

    def pledge(member: User) -> str:
        try:
            pledge_create(stage=stage, member=member, option_keys=["claim-back"], amount_pence=1000)
            # A second attempt by the same member is refused: one pledge each.
            pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
        except AlreadyPledgedError:
            return "ok"
        finally:
            connections.close_all()
        return "double"

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(pledge, members))
    assert outcomes == ["ok"] * PLEDGERS
    totals = selectors.stage_totals(stage)
    assert Pledge.objects.filter(stage=stage).count() == PLEDGERS
    assert (totals.pledges, totals.amount_pence) == (PLEDGERS, PLEDGERS * 1000)
    assert {o.key: o.pledges for o in totals.options}["claim-back"] == PLEDGERS
    assert (
        sum(RegionTally.objects.filter(stage=stage).values_list("pledges", flat=True)) == PLEDGERS
    )


def _pledge_paused(
    stage_id: int, member: User, *, pause: str, reached: Event, go_on: Event
) -> Callable[[], str]:
    """A pledge in its own thread and connection that stops (``pause``) before it starts, or
    after it has written everything but before its transaction commits, until the test lets
    it go on."""

    def run() -> str:
        try:
            stage = Stage.objects.get(pk=stage_id)
            with transaction.atomic():
                if pause == "before":
                    reached.set()
                    go_on.wait(10)
                pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
                if pause == "before commit":
                    reached.set()
                    go_on.wait(10)
            return "pledged"
        except PledgingClosedError:
            return "closed"
        finally:
            connections.close_all()

    return run


def _deadline_job(stage: Stage) -> str:
    try:
        return stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pause", ["before", "before commit"])
def test_a_pledge_racing_the_deadline_job_is_counted_or_refused_never_lost(
    make_campaign: MakeCampaign, pause: str
) -> None:
    """The deadline job runs while a pledge is under way. Before the pledge has locked its
    tally shard, the job closes the stage and the pledge is refused; once the pledge holds the
    lock, the job waits for its commit and counts it. Either way the job's count equals the
    pledge rows."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    stage = make_campaign(people=1).stages.get(number=1)
    (member,) = _members(1)
    reached, go_on = Event(), Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        pledge = pool.submit(
            _pledge_paused(stage.pk, member, pause=pause, reached=reached, go_on=go_on)
        )
        assert reached.wait(10)
        job = pool.submit(_deadline_job, stage)
        wait_until(
            lambda: job.done() or a_query_waits_for_a_lock(),
            what="the job has run or waits for the pledge's lock",
        )
        go_on.set()
        outcome, state = pledge.result(10), job.result(10)
    rows = Pledge.objects.filter(stage=stage).count()
    if pause == "before":
        assert (outcome, state, rows) == ("closed", StageState.RELEASED, 0)
    else:
        # One pledge reaches the threshold of 1: the job counted it and opened the verdict.
        assert (outcome, state, rows) == ("pledged", StageState.VERDICT, 1)
    assert selectors.stage_totals(stage).pledges == rows
