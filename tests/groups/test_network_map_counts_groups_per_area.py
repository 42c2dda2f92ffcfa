from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.groups.models import Group, GroupDistrict, Membership, Visibility
from rankandfile.groups.network_map import group_counts_by_area, groups_by_area
from rankandfile.groups.services import group_join
from rankandfile.lib.postcodes import postcode_area
from tests.personas import MakeGroup, MakeMember

MAP = reverse("groups:map")


def _row(content: str, area: str) -> str:
    """The text of the table row of an area, tags left out."""
    match = re.search(
        rf'<tr>\s*<th scope="row">(?:<a [^>]*>)?{area}(?:</a>)?</th>.*?</tr>', content, re.S
    )
    assert match, f"no row for {area}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


@pytest.fixture
def leeds_and_bradford(make_group: MakeGroup) -> None:
    make_group(name="Headingley Tenants", districts=["LS6", "LS7"])  # counts once in LS
    make_group(name="Leeds Nurses", districts=["LS1"])
    make_group(name="Leeds Renters", districts=["LS2"], visibility="listed")
    make_group(name="Chapeltown Arts", districts=["LS7"])
    make_group(name="Leeds and Bradford Arts", districts=["LS6", "BD1"])  # in LS and in BD


@pytest.mark.django_db
@pytest.mark.usefixtures("leeds_and_bradford")
def test_each_area_counts_the_groups_covering_it_once() -> None:
    assert group_counts_by_area(viewer=AnonymousUser()) == {"LS": 5, "BD": 1}


@pytest.mark.django_db
@pytest.mark.usefixtures("leeds_and_bradford")
def test_the_map_and_its_table_show_each_areas_count_and_link_to_its_groups(
    client: Client,
) -> None:
    content = client.get(MAP).content.decode()
    assert "<title>LS: Leeds, 5 groups</title>" in content
    assert _row(content, "LS") == "LS Leeds 5"
    assert content.count('href="/groups/?place=LS"') == 2  # the map and the table

    directory = client.get("/groups/?place=LS").content.decode()
    assert "5 groups found" in directory
    assert "Leeds and Bradford Arts" in directory and "Chapeltown Arts" in directory


@pytest.mark.django_db
@pytest.mark.usefixtures("leeds_and_bradford")
def test_counts_under_five_are_shown_only_as_fewer_than_five(
    client: Client, make_group: MakeGroup
) -> None:
    for count in range(1, 5):
        content = client.get(MAP).content.decode()
        assert "<title>BD: Bradford, fewer than 5 groups</title>" in content
        assert _row(content, "BD") == "BD Bradford fewer than 5"
        assert f"Bradford, {count}" not in content
        make_group(districts=["BD4"])
    bradford = next(a for a in groups_by_area(viewer=AnonymousUser()).areas if a.area == "BD")
    assert bradford.groups == "5" and bradford.label == "BD: Bradford, 5 groups"


@pytest.mark.django_db
def test_an_area_without_groups_is_drawn_but_not_linked(client: Client) -> None:
    content = client.get(MAP).content.decode()
    shetland = groups_by_area(viewer=AnonymousUser()).drawn[-1]
    assert shetland.area == "ZE" and shetland.path and not shetland.linked
    assert f'd="{shetland.path}"' in content
    assert "<title>ZE: Shetland, no groups</title>" in content
    assert "?place=ZE" not in content
    assert _row(content, "ZE") == "ZE Shetland none"


@pytest.mark.django_db
def test_groups_in_an_area_the_map_does_not_draw_are_in_the_table(
    client: Client, make_group: MakeGroup
) -> None:
    make_group(districts=["BT1"])
    content = client.get(MAP).content.decode()
    assert _row(content, "BT") == "BT Belfast fewer than 5"
    assert '<a href="/groups/?place=BT">BT</a>' in content


@pytest.mark.django_db
def test_hidden_groups_count_only_for_their_members(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    make_group(districts=["M1"], visibility="hidden", organiser=organiser)
    make_group(districts=["M14"], visibility="listed")
    outsider = make_member()

    assert group_counts_by_area(viewer=AnonymousUser()) == {"M": 1}
    assert group_counts_by_area(viewer=outsider) == {"M": 1}
    assert group_counts_by_area(viewer=organiser) == {"M": 2}

    client.force_login(outsider)
    content = client.get(MAP).content.decode()
    assert "<title>M: Manchester, fewer than 5 groups</title>" in content
    assert "groups you can see cover it" in content


@pytest.mark.django_db
def test_the_map_answers_in_the_same_few_queries_with_ten_thousand_groups(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    group_join(group=make_group(districts=["LS6"]), member=member)
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(MAP).status_code == 200
    few = len(queries)  # now: the next request empties the connection's log

    districts = ["LS6", "BD1", "M14", "E8", "EH1", "CF10", "G1", "BT7", "ZE1", "TR1"]
    Group.objects.bulk_create(
        Group(name=f"Group {i}", slug=f"bulk-{i}", kind="campaign", visibility=visibility)
        for i in range(10_000)
        for visibility in [(Visibility.PUBLIC, Visibility.LISTED, Visibility.HIDDEN)[i % 3]]
    )
    bulk = list(Group.objects.filter(slug__startswith="bulk-").values_list("pk", flat=True))
    GroupDistrict.objects.bulk_create(
        GroupDistrict(group_id=pk, district=d, area=postcode_area(d))
        for i, pk in enumerate(bulk)
        for d in sorted({districts[i % 10], districts[(i * 7) % 10]})
    )
    Membership.objects.bulk_create(Membership(group_id=pk, member=member) for pk in bulk[:30])
    assert Group.objects.count() == 10_001
    # The inserts filled the connection's log of queries (it keeps the last 9,000), and a full
    # log would make any page look as if it ran none.
    connection.queries_log.clear()

    with CaptureQueriesContext(connection) as queries:
        content = client.get(MAP).content.decode()
    assert len(queries) == few == 3  # the session, the member, the counts
    assert "<title>LS: Leeds, " in content and "fewer than 5" not in _row(content, "LS")
    with CaptureQueriesContext(connection) as anonymous:
        assert Client().get(MAP).status_code == 200
    assert len(anonymous) == 1


@pytest.mark.django_db
def test_a_group_named_map_does_not_take_the_maps_address(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group(name="Map")
    assert group.slug != "map" and group.slug.startswith("map-")
    assert client.get(group.get_absolute_url()).status_code == 200
    assert "The network on a map" in client.get(MAP).content.decode()


@pytest.mark.django_db
def test_the_directory_links_to_the_map(client: Client) -> None:
    assert f'href="{MAP}"' in client.get(reverse("groups:list")).content.decode()
