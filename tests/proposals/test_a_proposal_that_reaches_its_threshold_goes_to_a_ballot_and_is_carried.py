"""A proposal that reaches its threshold: the proposer is told once through the outbox; at the
close of discussion the clock sends it to a ballot of the group (one yes/no question, the
motion); once the ballot is counted and published, the clock writes "carried" back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rankandfile.ballots.models import BallotState
from rankandfile.notifications.models import Message, MessageClass
from rankandfile.proposals.balloting import proposal_send_to_ballot, proposals_resolve_due
from rankandfile.proposals.models import ProposalState
from rankandfile.proposals.services import (
    ProposalError,
    proposal_support,
    proposal_unsupport,
)
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import (
    ballot_vote_and_publish,
    branch_make,
    proposal_opened,
)

pytestmark = pytest.mark.django_db


def test_reaching_the_threshold_tells_the_proposer_once_and_names_nobody(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=3)
    proposal = proposal_opened(branch)
    counts = [proposal_support(proposal=proposal, member=m) for m in branch.members[:2]]
    assert counts == [1, 2]
    assert proposal_support(proposal=proposal, member=branch.members[0]) == 2  # again: once
    assert not Message.objects.filter(template="proposal_threshold_reached").exists()

    assert proposal_support(proposal=proposal, member=branch.members[2]) == 3
    assert proposal_unsupport(proposal=proposal, member=branch.members[2]) == 2
    assert proposal_support(proposal=proposal, member=branch.members[2]) == 3
    assert proposal_support(proposal=proposal, member=branch.members[3]) == 4

    told = Message.objects.get(template="proposal_threshold_reached")
    assert told.recipient_id == branch.proposer.pk
    assert told.message_class == MessageClass.SERVICE
    assert told.context["supporters"] == 3
    assert told.context["proposal_url"].endswith(f"/proposals/{proposal.pk}/")
    names = {m.display_name for m in branch.members}
    assert not any(name in str(told.context) for name in names)


def test_the_clock_sends_it_to_a_ballot_at_the_close_and_writes_back_carried(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=3)
    proposal = proposal_opened(branch)
    for member in branch.members[:3]:
        proposal_support(proposal=proposal, member=member)
    with pytest.raises(ProposalError, match="organisers"):
        proposal_send_to_ballot(proposal=proposal, actor=branch.members[0])

    assert proposal.discussion_closes_at is not None
    closed = proposal.discussion_closes_at + timedelta(minutes=1)
    assert proposals_resolve_due(now=closed) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.TO_BALLOT
    ballot = proposal.ballot
    assert ballot is not None and ballot.state == BallotState.OPEN
    assert ballot.group_id == branch.group.pk and ballot.created_by is None
    assert [(q.position, q.method, q.text) for q in ballot.questions.all()] == [
        (1, "yesno", "Do you support the motion “Homes for all”?")
    ]
    assert proposal.text in ballot.description
    assert proposals_resolve_due(now=closed) == 0  # not counted yet: nothing to write

    ballot_vote_and_publish(
        ballot, [{"1": "yes"}] * 4 + [{"1": "no"}] * 2, [branch.proposer, *branch.members]
    )
    ballot.refresh_from_db()
    assert ballot.state == BallotState.PUBLISHED
    assert proposals_resolve_due(now=ballot.closes_at + timedelta(minutes=2)) == 1
    assert proposals_resolve_due(now=ballot.closes_at + timedelta(minutes=3)) == 0
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CARRIED
    assert proposal.result_text == proposal.text
    assert proposal.result_note == "The members voted on the motion: carried."
    assert proposal.decided_at is not None


def test_an_organiser_sends_it_before_the_close_and_a_no_vote_makes_it_fall(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=2)
    proposal = proposal_opened(branch)
    for member in branch.members[:2]:
        proposal_support(proposal=proposal, member=member)
    ballot = proposal_send_to_ballot(proposal=proposal, actor=branch.organiser)
    assert ballot.created_by == branch.organiser
    with pytest.raises(ProposalError, match="under discussion"):
        proposal_send_to_ballot(proposal=proposal, actor=branch.organiser)
    ballot_vote_and_publish(ballot, [{"1": "no"}] * 3 + [{"1": "yes"}], branch.members)
    assert proposals_resolve_due(now=ballot.closes_at + timedelta(minutes=2)) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.FELL
    assert proposal.result_note == "The members voted on the motion: not carried."
