"""Leaving a group asks first, on a page that says what happens; only the confirmed post leaves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import Membership
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_leaving_asks_first_then_leaves_when_confirmed(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    group = make_group(name="Leeds Renters")
    group_join(group=group, member=member)
    client.force_login(member)
    leave = reverse("groups:leave", kwargs={"slug": group.slug})

    asked = client.post(leave)

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Leave Leeds Renters?" in page
    assert "You can ask to join again later." in page
    assert 'name="confirmed" value="yes"' in page
    assert Membership.objects.filter(group=group, member=member).exists()

    left = client.post(leave, {"confirmed": "yes"})

    assert left.status_code == 302
    assert not Membership.objects.filter(group=group, member=member).exists()
