"""The proposer accepts an amendment: the text changes, a new version is kept with the
amendment that made it, and the other amendments are moved onto the new text, or outdated when
they change the same passage. Only the proposer decides, only while it is discussed."""

from __future__ import annotations

import pytest

from rankandfile.proposals.models import AmendmentState, ProposalVersion
from rankandfile.proposals.services import (
    ProposalError,
    amendment_accept,
    amendment_propose,
    amendment_reject,
)
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import MOTION, branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def test_accepting_makes_a_new_version_and_moves_or_outdates_the_others(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    alice, bob, carol = branch.members[:3]
    more_homes = amendment_propose(
        proposal=proposal,
        author=alice,
        proposed_text=MOTION.replace("500 council homes", "1,000 council homes"),
        reason="500 is not enough for our waiting list.",
    )
    fewer_homes = amendment_propose(
        proposal=proposal, author=bob, proposed_text=MOTION.replace("500", "300")
    )
    longer_freeze = amendment_propose(
        proposal=proposal, author=carol, proposed_text=MOTION.replace("three years", "five years")
    )
    assert [more_homes.number, fewer_homes.number, longer_freeze.number] == [1, 2, 3]

    with pytest.raises(ProposalError, match="Only the proposer"):
        amendment_accept(amendment=more_homes, proposer=alice)
    version = amendment_accept(amendment=more_homes, proposer=branch.proposer)

    proposal.refresh_from_db()
    assert version.number == 2 and proposal.version_number == 2
    assert proposal.text == MOTION.replace("500 council homes", "1,000 council homes")
    history = list(ProposalVersion.objects.filter(proposal=proposal).order_by("number"))
    assert [(v.number, v.text, v.amendment_id) for v in history] == [
        (1, MOTION, None),
        (2, proposal.text, more_homes.pk),
    ]

    for amendment in (more_homes, fewer_homes, longer_freeze):
        amendment.refresh_from_db()
    assert more_homes.state == AmendmentState.ACCEPTED
    # Amendment 2 changed the same words: it cannot be moved onto the new text.
    assert fewer_homes.state == AmendmentState.OUTDATED
    assert "Amendment 1, accepted, changed the same passage" in fewer_homes.state_note
    # Amendment 3 changed another passage: it now amends version 2, its change kept.
    assert longer_freeze.state == AmendmentState.OPEN
    assert longer_freeze.base_version == version
    assert longer_freeze.proposed_text == proposal.text.replace("three years", "five years")

    amendment_reject(amendment=longer_freeze, proposer=branch.proposer)
    longer_freeze.refresh_from_db()
    assert longer_freeze.state == AmendmentState.REJECTED
    with pytest.raises(ProposalError, match="no longer open: rejected by the proposer"):
        amendment_accept(amendment=longer_freeze, proposer=branch.proposer)


def test_an_amendment_that_changes_nothing_is_refused(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    with pytest.raises(ProposalError, match="same as the proposal"):
        amendment_propose(
            proposal=proposal, author=branch.members[0], proposed_text=f"  {MOTION}\r\n"
        )


def test_an_outsider_cannot_amend(make_member: MakeMember, make_group: MakeGroup) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    with pytest.raises(ProposalError, match="Only the group's members"):
        amendment_propose(proposal=proposal, author=make_member(), proposed_text="Other words.")
