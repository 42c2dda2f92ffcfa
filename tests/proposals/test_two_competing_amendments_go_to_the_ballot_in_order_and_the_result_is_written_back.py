"""Two rejected amendments that change the same passage are shown as competing and go to the
ballot, each as its own yes/no question, in the order their passages fall in the text, after
any amendment earlier in the text and before the motion as amended. The published result is
written back: the carried amendments applied in ballot order (a competing one carried after
another is not applied), each a version in the history, and the motion carried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from rankandfile.proposals.balloting import proposal_send_to_ballot, proposals_resolve_due
from rankandfile.proposals.models import AmendmentState, ProposalState, ProposalVersion
from rankandfile.proposals.selectors import amendments_for_page
from rankandfile.proposals.services import (
    amendment_propose,
    amendment_reject,
    amendment_support,
    proposal_support,
)
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import (
    MOTION,
    ballot_vote_and_publish,
    branch_make,
    proposal_opened,
)

pytestmark = pytest.mark.django_db


def test_competing_amendments_are_balloted_in_order_and_the_result_written_back(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, members=8, threshold=2)
    proposal = proposal_opened(branch)
    members = branch.members
    freeze_five = amendment_propose(
        proposal=proposal,
        author=members[0],
        proposed_text=MOTION.replace("three years", "five years"),
    )
    freeze_ten = amendment_propose(
        proposal=proposal,
        author=members[1],
        proposed_text=MOTION.replace("three years", "ten years"),
    )
    more_homes = amendment_propose(
        proposal=proposal, author=members[2], proposed_text=MOTION.replace("500", "1,000")
    )
    unsupported = amendment_propose(
        proposal=proposal, author=members[3], proposed_text=MOTION + "\n\nAnd free buses."
    )
    competing = {
        row.amendment.number: row.competes_with
        for row in amendments_for_page(proposal=proposal, viewer=AnonymousUser())
    }
    assert competing == {1: [2], 2: [1], 3: [], 4: []}

    for amendment in (freeze_five, freeze_ten, more_homes):
        amendment_reject(amendment=amendment, proposer=branch.proposer)
        for member in members[4:6]:
            amendment_support(amendment=amendment, member=member)
    amendment_support(amendment=unsupported, member=members[4])  # one short
    for member in members[:2]:
        proposal_support(proposal=proposal, member=member)

    ballot = proposal_send_to_ballot(proposal=proposal, actor=branch.organiser)

    questions = [q.text for q in ballot.questions.order_by("position")]
    assert questions == [
        "Amendment 3 to “Homes for all”: replace “500” with “1,000”. "
        "Do you support this amendment?",
        "Amendment 1 to “Homes for all”: replace “three” with “five”. "
        "Do you support this amendment?",
        "Amendment 2 to “Homes for all”: replace “three” with “ten”. "
        "Do you support this amendment?",
        "Do you support the motion “Homes for all”, as amended?",
    ]
    assert "Amendment 3, by Voter" in ballot.description
    assert "replace “three” with “ten”." in ballot.description
    assert "free buses" not in ballot.description  # amendment 4 is not on the ballot
    for amendment in (freeze_five, freeze_ten, more_homes, unsupported):
        amendment.refresh_from_db()
    assert [(a.state, a.ballot_position) for a in (more_homes, freeze_five, freeze_ten)] == [
        (AmendmentState.ON_BALLOT, 1),
        (AmendmentState.ON_BALLOT, 2),
        (AmendmentState.ON_BALLOT, 3),
    ]
    assert unsupported.state == AmendmentState.FELL
    assert unsupported.ballot_position is None

    # Members carry amendments 3, 1 and 2 (1 and 2 compete: 1 comes first) and the motion.
    yes_to_all = {"1": "yes", "2": "yes", "3": "yes", "4": "yes"}
    against_more_homes = yes_to_all | {"1": "no"}
    ballot_vote_and_publish(
        ballot, [yes_to_all] * 6 + [against_more_homes] * 3, [branch.proposer, *members]
    )
    assert proposals_resolve_due(now=ballot.closes_at + timedelta(minutes=5)) == 1

    proposal.refresh_from_db()
    for amendment in (freeze_five, freeze_ten, more_homes):
        amendment.refresh_from_db()
    expected = MOTION.replace("500", "1,000").replace("three years", "five years")
    assert proposal.state == ProposalState.CARRIED
    assert proposal.text == proposal.result_text == expected
    assert (more_homes.state, freeze_five.state, freeze_ten.state) == (
        AmendmentState.CARRIED,
        AmendmentState.CARRIED,
        AmendmentState.CARRIED,
    )
    assert "not applied" in freeze_ten.state_note
    history = list(ProposalVersion.objects.filter(proposal=proposal).order_by("number"))
    assert [(v.number, v.amendment_id) for v in history] == [
        (1, None),
        (2, more_homes.pk),
        (3, freeze_five.pk),
    ]
    assert history[1].text == MOTION.replace("500", "1,000")
    assert history[2].text == expected


def test_an_amendment_that_falls_leaves_the_text_and_the_motion_can_still_carry(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, members=4, threshold=2)
    proposal = proposal_opened(branch)
    members = branch.members
    amendment = amendment_propose(
        proposal=proposal, author=members[0], proposed_text=MOTION.replace("500", "50")
    )
    for member in members[:2]:
        amendment_support(amendment=amendment, member=member)
        proposal_support(proposal=proposal, member=member)
    ballot = proposal_send_to_ballot(proposal=proposal, actor=branch.organiser)
    # Still open (never decided by the proposer), with enough supporters: on the ballot.
    assert ballot.questions.count() == 2
    ballot_vote_and_publish(ballot, [{"1": "no", "2": "yes"}] * 4, members)
    proposals_resolve_due(now=ballot.closes_at + timedelta(minutes=5))
    proposal.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.FELL
    assert proposal.state == ProposalState.CARRIED
    assert proposal.text == MOTION and proposal.version_number == 1
