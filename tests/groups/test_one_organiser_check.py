"""'Is this member an organiser of this group?' has one answer, asked in one place."""

from __future__ import annotations

import pytest

from rankandfile.ballots.selectors import member_may_organise
from rankandfile.groups.models import Role
from rankandfile.groups.selectors import groups_organised_by, member_is_organiser
from rankandfile.groups.services import group_join, membership_set_role
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_an_organiser_is_one_by_role_and_stops_being_one_when_demoted(
    make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    member = make_member(email="member@example.org")
    outsider = make_member(email="outsider@example.org")
    group_join(group=group, member=member)

    assert member_is_organiser(organiser, group)
    assert not member_is_organiser(member, group)
    assert not member_is_organiser(outsider, group)
    assert list(groups_organised_by(organiser)) == [group]

    membership_set_role(group=group, member=member, role=Role.ORGANISER)
    membership_set_role(group=group, member=organiser, role=Role.MEMBER)
    assert not member_is_organiser(organiser, group)
    assert not member_may_organise(member=organiser, ballot_group=group)
    assert member_may_organise(member=member, ballot_group=group)
    assert list(groups_organised_by(organiser)) == []
