"""A slate held by several groups: each group's organisers agree before applications open, any
of their members may apply, and the ballot's roll is the union of their members, each once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.ballots.models import RollEntry
from rankandfile.groups.models import Membership
from rankandfile.proposals.models import SlateState
from rankandfile.proposals.slates import (
    SlateError,
    slate_agree,
    slate_apply,
    slate_create,
    slate_send_to_ballot,
)
from tests.ballots.ballot_helpers import voters_make
from tests.personas import MakeGroup, MakeMember, login_with_second_factor


@pytest.mark.django_db
def test_a_multi_group_slate_electorate_is_the_union_of_members(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    first_organiser, second_organiser = make_member(mfa=True), make_member(mfa=True)
    first = make_group(organiser=first_organiser, visibility="hidden")
    second = make_group(organiser=second_organiser)
    elsewhere = make_group()
    first_members = voters_make(first, 3)
    second_members = voters_make(second, 2)
    both = make_member(display_name="In Both")
    Membership.objects.create(group=first, member=both)
    Membership.objects.create(group=second, member=both)
    outsider = voters_make(elsewhere, 1)[0]

    slate = slate_create(
        organiser=first_organiser,
        group=first,
        title="Joint slate",
        election="the national executive",
        places=1,
        applications_close_at=timezone.now() + timedelta(days=1),
        other_groups=[second],
    )
    assert slate.state == SlateState.AGREEING
    with pytest.raises(SlateError, match="not taking applications"):
        slate_apply(slate=slate, member=second_members[0], statement="Me.")
    with pytest.raises(SlateError, match="organisers"):
        slate_agree(organiser=first_organiser, slate=slate, group=second)
    slate = slate_agree(organiser=second_organiser, slate=slate, group=second)
    assert slate.state == SlateState.APPLICATIONS

    slate_apply(slate=slate, member=first_members[0], statement="From the first group.")
    slate_apply(slate=slate, member=second_members[0], statement="From the second group.")
    with pytest.raises(SlateError, match="Only members"):
        slate_apply(slate=slate, member=outsider, statement="From elsewhere.")

    ballot = slate_send_to_ballot(
        slate=slate, actor=first_organiser, now=slate.applications_close_at + timedelta(minutes=1)
    )
    assert ballot is not None and ballot.group == first
    roll = list(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    union = {m.pk for m in [*first_members, *second_members, both, first_organiser]}
    union.add(second_organiser.pk)
    assert sorted(roll) == sorted(union), "each member of either group once, nobody else"
    assert ballot.roll_size == len(union)

    # A member of the second group sees the first (hidden) group's ballot: they are on its roll.
    client = Client()
    client.force_login(second_members[1])
    assert client.get(ballot.get_absolute_url()).status_code == 200
    client.force_login(outsider)
    assert client.get(ballot.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_other_groups_organiser_agrees_from_the_slate_page(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    first_organiser, second_organiser = make_member(mfa=True), make_member(mfa=True)
    first = make_group(organiser=first_organiser)
    second = make_group(organiser=second_organiser, name="North Branch")
    slate = slate_create(
        organiser=first_organiser,
        group=first,
        title="Joint slate",
        election="the national executive",
        places=2,
        applications_close_at=timezone.now() + timedelta(days=1),
        other_groups=[second],
    )
    client = Client()
    login_with_second_factor(client, second_organiser)
    page = client.get(slate.get_absolute_url()).content.decode()
    assert "North Branch agrees to hold the slate" in page
    agree = reverse("slates:agree", kwargs={"slate_id": slate.pk})
    assert client.post(agree, {"group": second.slug}).status_code == 302
    slate.refresh_from_db()
    assert slate.state == SlateState.APPLICATIONS
    assert "agrees to hold the slate" not in client.get(slate.get_absolute_url()).content.decode()
