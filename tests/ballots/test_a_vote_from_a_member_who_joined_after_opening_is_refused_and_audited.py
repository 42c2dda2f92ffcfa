"""README, "Member ballots": the roll is frozen when voting opens, and every request to change it
afterwards is refused and written to the audit log. In the product that request is a vote from a
member who joined the group after the roll was made."""

from __future__ import annotations

import pytest

from rankandfile.audit.models import AuditEntry
from rankandfile.ballots.models import RollEntry
from rankandfile.ballots.services import NotOnRollError, RollFrozenError, ballot_cast, ballot_open
from rankandfile.groups.services import group_join, membership_leave
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import MakeGroup, MakeMember

GOOD = {"1": "yes", "2": [2, 1]}


@pytest.mark.django_db
def test_a_member_who_joined_after_opening_cannot_vote_and_the_attempt_is_audited(
    make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    newcomer = make_member(email="newcomer@example.org")
    group_join(group=group, member=newcomer)

    with pytest.raises(RollFrozenError):
        ballot_cast(ballot=ballot, member=newcomer, receipt_hash=receipt_hash(), answers=GOOD)

    assert not RollEntry.objects.filter(ballot=ballot, member=newcomer).exists()
    entry = AuditEntry.objects.get()
    assert entry.action == "ballot.roll_change_refused"
    assert (entry.target_type, entry.target_id, entry.actor) == ("ballot", str(ballot.pk), newcomer)
    assert entry.details == {"change": "add", "member_id": newcomer.pk, "state": "open"}
    assert "@" not in str(entry.details)


@pytest.mark.django_db
def test_leaving_after_opening_keeps_the_vote_and_an_outsider_is_refused_without_an_entry(
    make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    leaver = make_member(email="leaver@example.org")
    group_join(group=group, member=leaver)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    membership_leave(group=group, member=leaver)
    outsider = make_member(email="outsider@example.org")

    ballot_cast(ballot=ballot, member=leaver, receipt_hash=receipt_hash(), answers=GOOD)
    with pytest.raises(NotOnRollError):
        ballot_cast(ballot=ballot, member=outsider, receipt_hash=receipt_hash(), answers=GOOD)
    # Not a member of the group: not a request to change the roll, so nothing to audit.
    assert not AuditEntry.objects.exists()
