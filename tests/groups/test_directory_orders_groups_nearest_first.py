from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.groups.selectors import directory_search
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember


@pytest.fixture
def network(make_group: MakeGroup) -> None:
    make_group(name="Manchester Renters", districts=["M1"])
    make_group(name="Bradford Nurses", districts=["BD1"])
    make_group(name="Headingley Tenants", districts=["LS6"])
    make_group(name="Hackney Left", districts=["E8"])
    make_group(name="Leeds and Bradford Arts", districts=["BD1", "LS1"])


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_groups_are_ordered_nearest_first_from_a_known_district(
    make_member: MakeMember,
) -> None:
    search = directory_search(viewer=make_member(), place="ls 2")
    names = [g.name for g in search.groups]
    assert names == [
        "Leeds and Bradford Arts",  # covers LS1, next door to LS2
        "Headingley Tenants",
        "Bradford Nurses",
        "Manchester Renters",
        "Hackney Left",
    ]
    distances = [g.distance_km for g in search.groups]  # type: ignore[attr-defined]
    assert distances == sorted(distances)
    assert 0.5 < distances[0] < 2 and 250 < distances[-1] < 320
    assert search.near == "LS2" and not search.unknown_place


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_the_directory_page_shows_each_groups_distance(client: Client) -> None:
    content = client.get(reverse("groups:list"), {"place": "LS2"}).content.decode()
    assert "nearest to LS2 first" in content
    assert content.index("Headingley Tenants") < content.index("Bradford Nurses")
    assert content.index("Bradford Nurses") < content.index("Manchester Renters")
    assert " km from LS2</p>" in content


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_the_radius_filter_leaves_out_groups_further_away(
    client: Client, make_member: MakeMember
) -> None:
    search = directory_search(viewer=make_member(), place="LS2", radius_km=25)
    assert [g.name for g in search.groups] == [
        "Leeds and Bradford Arts",
        "Headingley Tenants",
        "Bradford Nurses",
    ]
    content = client.get(reverse("groups:list"), {"place": "LS2", "radius_km": "5"}).content
    assert b"Headingley Tenants" in content and b"Bradford Nurses" not in content


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_an_unknown_district_is_answered_with_a_message_and_suggested_districts(
    client: Client,
) -> None:
    content = client.get(reverse("groups:list"), {"place": "LS99"}).content.decode()
    assert "We do not know the postcode district LS99" in content
    assert 'href="?place=LS9"' in content
    assert "0 groups found" in content


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_area_letters_still_filter_by_area_without_a_message(make_member: MakeMember) -> None:
    search = directory_search(viewer=make_member(), place="BD")
    assert sorted(g.name for g in search.groups) == ["Bradford Nurses", "Leeds and Bradford Arts"]
    assert not search.unknown_place and not search.near


@pytest.mark.django_db
def test_the_nearest_first_page_runs_a_fixed_number_of_queries(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    query = {"place": "LS2", "radius_km": "50"}
    make_group(districts=["LS6"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("groups:list"), query).status_code == 200
    few = few.captured_queries  # now, before the next request empties the log
    for _ in range(12):
        group = make_group(districts=["LS6", "BD1", "M14"])
        group_join(group=group, member=make_member())
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("groups:list"), query).status_code == 200
    assert len(many) == len(few) <= 6


@pytest.mark.django_db
@pytest.mark.usefixtures("network")
def test_the_api_lists_groups_nearest_first_with_their_distance(
    client: Client, make_member: MakeMember
) -> None:
    client.force_login(make_member())
    rows = client.get("/api/v1/groups", {"place": "LS2", "radius_km": 25}).json()
    assert [row["name"] for row in rows][1:] == ["Headingley Tenants", "Bradford Nurses"]
    assert all(isinstance(row["distance_km"], float) for row in rows)
