from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from rankandfile.groups.models import JoinRequest, Membership
from rankandfile.groups.services import GroupActionError, group_join, membership_leave
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_membership_uniqueness_is_a_database_constraint(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    member = make_member()
    Membership.objects.create(group=group, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=group, member=member)
    # The service relies on that constraint: joining twice leaves one membership.
    group_join(group=group, member=member)
    assert Membership.objects.filter(group=group, member=member).count() == 1


@pytest.mark.django_db
def test_one_pending_join_request_per_member_is_a_database_constraint(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(visibility="listed")
    member = make_member()
    JoinRequest.objects.create(group=group, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        JoinRequest.objects.create(group=group, member=member)


@pytest.mark.django_db
def test_the_only_organiser_cannot_leave_a_group_with_members(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    group_join(group=group, member=make_member())
    with pytest.raises(GroupActionError):
        membership_leave(group=group, member=organiser)
