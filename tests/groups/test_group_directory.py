from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.groups.selectors import groups_directory
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_directory_filters_by_place_kind_and_text(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    viewer = make_member()
    leeds = make_group(name="Leeds Tenants", districts=["LS6", "LS7"], kind="campaign")
    make_group(name="Hackney Left", districts=["E8"], kind="local_branch")
    names = lambda **f: [g.name for g in groups_directory(viewer=viewer, **f)]  # noqa: E731
    assert names(place="ls6") == ["Leeds Tenants"]
    assert names(place="LS") == ["Leeds Tenants"]
    assert names(place="E8") == ["Hackney Left"]
    assert names(kind="campaign") == ["Leeds Tenants"]
    assert names(text="tenants") == ["Leeds Tenants"]
    assert leeds.districts.count() == 2


@pytest.mark.django_db
def test_the_group_list_page_runs_a_fixed_number_of_queries(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    for _ in range(3):
        make_group()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("groups:list")).status_code == 200
    few = few.captured_queries  # now, before the next request empties the log
    for _ in range(12):
        group = make_group(districts=["LS6", "LS7", "M14"])
        group_join(group=group, member=make_member())
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("groups:list")).status_code == 200
    many = many.captured_queries
    # The issue choices, the count, the page of groups with their member counts, their
    # districts, their issues.
    assert len(many) == len(few) == 5
    client.force_login(make_member())
    client.get(reverse("groups:list"))  # the first request of a session does its own work
    with CaptureQueriesContext(connection) as member:
        assert client.get(reverse("groups:list")).status_code == 200
    assert len(member.captured_queries) == 5 + 2  # and the session and its member


@pytest.mark.django_db
def test_htmx_filtering_returns_only_the_results_partial(
    client: Client, make_group: MakeGroup
) -> None:
    make_group(name="Leeds Tenants", districts=["LS6"])
    response = client.get(reverse("groups:list"), {"place": "LS6"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'id="results"' in content and "Leeds Tenants" in content
    assert "<html" not in content


@pytest.mark.django_db
def test_small_member_counts_are_not_shown_exactly(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    content = client.get(reverse("groups:detail", kwargs={"slug": group.slug})).content.decode()
    assert "fewer than 5 members" in content
    for _ in range(5):
        group_join(group=group, member=make_member())
    content = client.get(reverse("groups:detail", kwargs={"slug": group.slug})).content.decode()
    assert "6 members" in content
