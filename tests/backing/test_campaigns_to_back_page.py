"""The "Campaigns to back" page: campaign groups and open pressure campaigns with their
backing counts, nearest first from the member's district, in a bounded number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.campaigns.backings import backing_group_create, backing_target_fields
from rankandfile.campaigns.models import Backing
from rankandfile.groups.models import Role
from tests.backing.conftest import MakeCampaignGroup
from tests.personas import MakeCampaign, MakeGroup, MakeMember


def _titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', page)


@pytest.mark.django_db
def test_campaigns_to_back_are_nearest_first_from_the_members_district(
    make_member: MakeMember, make_campaign_group: MakeCampaignGroup, make_group: MakeGroup
) -> None:
    make_campaign_group(name="Manchester Renters", districts=["M1"])
    make_campaign_group(name="Bradford Nurses", districts=["BD1"])
    make_campaign_group(name="Anywhere Campaign", districts=[])
    make_campaign_group(name="Headingley Tenants", districts=["LS6"])
    make_campaign_group(name="Hidden Campaign", districts=["LS2"], visibility="hidden")
    make_group(name="Leeds Branch", districts=["LS2"])  # not a campaign group

    client = Client()
    client.force_login(make_member(district="LS2"))
    page = client.get(reverse("backing:list")).content.decode()
    assert "Nearest to LS2 first." in page
    assert _titles(page) == [
        "Headingley Tenants",
        "Bradford Nurses",
        "Manchester Renters",
        "Anywhere Campaign",
    ]
    assert "km from LS2" in page
    anonymous = Client().get(reverse("backing:list")).content.decode()
    assert _titles(anonymous) == [
        "Anywhere Campaign",
        "Bradford Nurses",
        "Headingley Tenants",
        "Manchester Renters",
    ]


@pytest.mark.django_db
def test_campaigns_to_back_answers_in_a_bounded_number_of_queries(
    make_member: MakeMember,
    make_group: MakeGroup,
    make_campaign: MakeCampaign,
    make_campaign_group: MakeCampaignGroup,
    django_assert_max_num_queries: Any,
) -> None:
    viewer = make_member(district="LS2")
    client = Client()
    client.force_login(viewer)

    def counted() -> tuple[str, int]:
        with django_assert_max_num_queries(12) as captured:
            page = client.get(reverse("backing:list")).content.decode()
        return page, len(captured)

    targets: list[Any] = [make_campaign_group(districts=["LS6", "BD1"]) for _ in range(3)]
    targets.append(make_campaign())
    _, few = counted()

    targets += [make_campaign_group(districts=["M1", "LS6"]) for _ in range(25)]
    targets += [make_campaign() for _ in range(3)]
    backers = [make_member() for _ in range(15)]
    groups = [make_group() for _ in range(5)]
    rows = [
        Backing(member=m, show_name=n % 2 == 0, **backing_target_fields(t))
        for t in targets
        for n, m in enumerate(backers)
    ]
    Backing.objects.bulk_create(rows)
    for group in groups:
        organiser = group.memberships.get(role=Role.ORGANISER).member
        for target in targets:
            backing_group_create(target=target, group=group, organiser=organiser)
    page, many = counted()
    assert many == few
    assert page.count("Backed by 5 groups and 15 members.") == len(targets)
