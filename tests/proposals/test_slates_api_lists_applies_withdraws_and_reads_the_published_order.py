"""The slates API: the same rules as the pages, through the same services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from rankandfile.groups.models import Membership
from rankandfile.proposals.slates import slates_resolve_due
from tests.ballots.ballot_helpers import voters_make
from tests.personas import MakeGroup, MakeMember
from tests.proposals.slate_helpers import (
    rankings_cast_and_published,
    slate_balloted,
    slate_opened,
)

API = "/api/v1/slates"


@pytest.mark.django_db
def test_members_list_apply_withdraw_and_read_the_published_order(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = slate_opened(make_member, make_group, names=["Ada Applicant", "Bea Applicant"])
    slate_id = world.slate.pk
    member = make_member(display_name="Cai Applicant")
    Membership.objects.create(group=world.group, member=member)
    client = Client()
    assert client.get(f"{API}/").status_code == 401
    client.force_login(member)

    assert [s["id"] for s in client.get(f"{API}/").json()] == [slate_id]
    detail = client.get(f"{API}/{slate_id}").json()
    assert [a["name"] for a in detail["applicants"]] == ["Ada Applicant", "Bea Applicant"]
    assert detail["applied"] is False

    bad = client.post(f"{API}/{slate_id}/apply", {"statement": ""}, content_type="application/json")
    assert bad.status_code == 400
    applied = client.post(
        f"{API}/{slate_id}/apply", {"statement": "Vote Cai."}, content_type="application/json"
    )
    assert applied.status_code == 201
    assert client.get(f"{API}/{slate_id}").json()["applied"] is True
    assert client.post(f"{API}/{slate_id}/withdraw").status_code == 204
    assert client.post(f"{API}/{slate_id}/withdraw").status_code == 400
    assert client.get(f"{API}/{slate_id}/recommended").status_code == 404

    outsider = make_member()
    Membership.objects.create(group=make_group(), member=outsider)
    other = Client()
    other.force_login(outsider)
    assert other.get(f"{API}/").json() == []
    assert other.get(f"{API}/{slate_id}").status_code == 404
    assert (
        other.post(
            f"{API}/{slate_id}/apply", {"statement": "Me."}, content_type="application/json"
        ).status_code
        == 404
    )

    voters = voters_make(world.group, 5)
    ballot = slate_balloted(world.slate)
    rankings_cast_and_published(ballot, [[2, 1]] * 5, voters)
    slates_resolve_due(now=ballot.closes_at + timedelta(minutes=2))
    published = other.get(f"{API}/{slate_id}/recommended")
    assert published.status_code == 200
    assert published.json()["slate"] == [
        {"place": 1, "name": "Bea Applicant"},
        {"place": 2, "name": "Ada Applicant"},
    ]
