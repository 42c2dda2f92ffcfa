"""Display names are encrypted at rest, so lists by name are sorted in Python, by one helper:
the member list, its CSV download and the organiser's member table all order names case-blind,
same names by joining order, and the organiser's table puts organisers first."""

from __future__ import annotations

import pytest

from rankandfile.groups.exports import member_list_rows
from rankandfile.groups.models import Membership, Role
from rankandfile.groups.selectors import (
    group_members_for_organiser,
    members_listed,
    sorted_by_display_name,
)
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_the_helper_sorts_case_blind_and_keeps_the_order_of_equal_names() -> None:
    rows = [(1, "bob"), (2, "Alice"), (3, "ALICE"), (4, "carol"), (5, "Émile")]
    assert sorted_by_display_name(rows, lambda row: row[1]) == [
        (2, "Alice"),
        (3, "ALICE"),
        (1, "bob"),
        (4, "carol"),
        (5, "Émile"),
    ]


def test_every_member_list_is_by_name_case_blind(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True, display_name="zoe organiser")
    group = make_group(organiser=organiser)
    Membership.objects.filter(group=group).update(listed=True)
    names = ["bob", "Alice", "carol", "alice", "Bob"]
    for name in names:
        Membership.objects.create(group=group, member=make_member(display_name=name), listed=True)
    expected = ["Alice", "alice", "bob", "Bob", "carol", "zoe organiser"]

    assert [m.member.display_name for m in members_listed(group)] == expected
    assert [row[0] for row in member_list_rows(group)] == expected
    table = group_members_for_organiser(group)
    assert [m.member.display_name for m in table[: len(table)]] == [
        "zoe organiser",
        *expected[:-1],
    ]
    assert table[0].role == Role.ORGANISER
