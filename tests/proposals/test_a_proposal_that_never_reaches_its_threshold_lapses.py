"""A proposal short of its supporters when the support period ends lapses, once; its live
amendments fall with it, and nothing goes to a ballot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rankandfile.ballots.models import Ballot
from rankandfile.proposals.balloting import proposal_send_to_ballot, proposals_resolve_due
from rankandfile.proposals.models import AmendmentState, ProposalState
from rankandfile.proposals.services import (
    ProposalError,
    amendment_propose,
    proposal_support,
)
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def test_short_of_supporters_at_the_deadline_the_proposal_lapses_once(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=3)
    proposal = proposal_opened(branch)
    assert proposal.support_threshold == 3
    assert proposal.discussion_closes_at == proposal.support_deadline
    amendment = amendment_propose(
        proposal=proposal,
        author=branch.members[0],
        proposed_text=proposal.text.replace("500", "1,000"),
    )
    for member in branch.members[:2]:
        proposal_support(proposal=proposal, member=member)

    with pytest.raises(ProposalError, match="needs 3 supporters"):
        proposal_send_to_ballot(proposal=proposal, actor=branch.organiser)
    assert proposal.support_deadline is not None
    before = proposal.support_deadline - timedelta(seconds=1)
    assert proposals_resolve_due(now=before) == 0

    after = proposal.support_deadline + timedelta(seconds=1)
    assert proposals_resolve_due(now=after) == 1
    assert proposals_resolve_due(now=after) == 0  # the clock running twice changes nothing
    proposal.refresh_from_db()
    amendment.refresh_from_db()
    assert proposal.state == ProposalState.LAPSED
    assert "Not enough members" in proposal.result_note
    assert amendment.state == AmendmentState.FELL
    assert proposal.ballot is None and not Ballot.objects.exists()
    with pytest.raises(ProposalError, match="not open for support"):
        proposal_support(proposal=proposal, member=branch.members[3], now=after)


def test_the_threshold_can_be_a_percentage_of_the_members_rounded_up(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    from rankandfile.proposals.services import proposal_settings_update

    branch = branch_make(make_member, make_group, members=40)
    proposal_settings_update(
        organiser=branch.organiser,
        group=branch.group,
        threshold_kind="percent",
        threshold_people=10,
        threshold_percent=5,
        support_days=14,
    )
    # 40 members, the proposer and the organiser: 42; 5% is 2.1, so 3 supporters.
    proposal = proposal_opened(branch)
    assert proposal.support_threshold == 3
    assert proposal.opened_at is not None and proposal.support_deadline is not None
    assert proposal.support_deadline - proposal.opened_at == timedelta(days=14)
