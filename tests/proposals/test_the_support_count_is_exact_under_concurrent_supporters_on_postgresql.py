"""Many members supporting a proposal at once on PostgreSQL: every support is one row, the
count is exact, the threshold is reached exactly once and the proposer told exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from rankandfile.accounts.models import User
from rankandfile.notifications.models import Message
from rankandfile.proposals.models import Proposal, Support
from rankandfile.proposals.selectors import support_count
from rankandfile.proposals.services import proposal_support
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import branch_make, proposal_opened

SUPPORTERS = 60
THRESHOLD = 25

# Run one after another on one xdist worker with the other thread-racing tests.
pytestmark = pytest.mark.xdist_group("one_at_a_time")


@pytest.mark.django_db(transaction=True)
def test_concurrent_supporters_give_an_exact_count_and_one_message(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    branch = branch_make(make_member, make_group, members=SUPPORTERS, threshold=THRESHOLD)
    proposal = proposal_opened(branch)
    proposal_id = proposal.pk

    def support(member: User) -> list[int]:
        try:
            # Each supports twice: the second is the same support, not another.
            fresh = Proposal.objects.get(pk=proposal_id)
            return [
                proposal_support(proposal=fresh, member=member),
                proposal_support(proposal=fresh, member=member),
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        counts = list(pool.map(support, branch.members))

    assert Support.objects.filter(proposal_id=proposal_id).count() == SUPPORTERS
    assert support_count(proposal) == SUPPORTERS
    # Supporters were counted one after another: each first count is a different number.
    assert sorted(first for first, _ in counts) == list(range(1, SUPPORTERS + 1))
    assert Message.objects.filter(template="proposal_threshold_reached").count() == 1
    told = Message.objects.get(template="proposal_threshold_reached")
    assert told.context["supporters"] == THRESHOLD
    proposal.refresh_from_db()
    assert proposal.threshold_reached_at is not None
