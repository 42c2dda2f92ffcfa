from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import IssueTag, User
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import directory_search
from rankandfile.groups.services import GroupDetails, group_create, group_update
from tests.personas import MakeMember


@pytest.fixture
def organiser(make_member: MakeMember) -> User:
    return make_member(mfa=True)


def _group(
    organiser: User,
    name: str,
    description: str,
    *,
    districts: Iterable[str] = ("LS6",),
    kind: str = "local_branch",
    issues: Iterable[str] = (),
) -> Group:
    return group_create(
        creator=organiser, details=_details(name, description, districts, kind, issues)
    )


def _details(
    name: str,
    description: str,
    districts: Iterable[str] = ("LS6",),
    kind: str = "local_branch",
    issues: Iterable[str] = (),
) -> GroupDetails:
    return GroupDetails(
        name=name,
        kind=kind,
        description=description,
        visibility="public",
        districts=list(districts),
        issues=list(IssueTag.objects.filter(slug__in=list(issues))),
    )


def _found(viewer: User, **search: object) -> list[str]:
    return [g.name for g in directory_search(viewer=viewer, **search).groups]  # type: ignore[arg-type]


@pytest.mark.django_db
def test_search_finds_groups_by_stemmed_words_in_name_or_description(
    organiser: User, make_member: MakeMember
) -> None:
    _group(organiser, "Organisers' Forum", "Monthly meetings in the library.")
    _group(organiser, "Chapeltown Renters", "We organise tenants block by block.")
    _group(organiser, "Hyde Park Choir", "Singing for everyone.")
    viewer = make_member()
    assert _found(viewer, text="organising") == ["Organisers' Forum", "Chapeltown Renters"]
    assert _found(viewer, text="tenant") == ["Chapeltown Renters"]
    assert _found(viewer, text="MEETING libraries") == ["Organisers' Forum"]
    # Every word must be found, common words apart.
    assert _found(viewer, text="tenants in the choir") == []
    assert _found(viewer, text="the singing") == ["Hyde Park Choir"]


@pytest.mark.django_db
def test_without_a_place_groups_named_by_the_words_come_before_those_describing_them(
    organiser: User, make_member: MakeMember
) -> None:
    _group(organiser, "Arts Collective", "Murals with the housing tenants of Harehills.")
    _group(organiser, "Tenants Union", "Leeds-wide.")
    _group(organiser, "Beeston Tenants", "South Leeds.")
    assert _found(make_member(), text="tenants") == [
        "Beeston Tenants",
        "Tenants Union",
        "Arts Collective",
    ]


HOSTILE = [
    '"',
    '"tenants',
    "tenants\"'",
    "*",
    "tenant*",
    "-tenants",
    "tenants -union",
    "NEAR(tenants union)",
    "NOT tenants",
    "tenants OR choir",
    "tenants AND",
    "name:tenants",
    "{name}: tenants",
    "^tenants",
    "tenants + union",
    "'; DROP TABLE groups_group; --",
    "tenants\x00union",
    "%_%",
    "\\",
    "tenants " * 500,
    "ténants",
]


@pytest.mark.django_db
def test_search_syntax_in_what_is_typed_is_read_as_words_and_breaks_nothing(
    organiser: User, make_member: MakeMember, client: Client
) -> None:
    _group(organiser, "Tenants Union", "Renters of Leeds.")
    _group(organiser, "Hyde Park Choir", "Singing for tenants and everyone.")
    viewer = make_member()
    for phrase in HOSTILE:
        found = _found(viewer, text=phrase)
        assert set(found) <= {"Tenants Union", "Hyde Park Choir"}, phrase
        assert client.get(reverse("groups:list"), {"q": phrase[:200]}).status_code == 200
    assert _found(viewer, text='"tenants') == ["Tenants Union", "Hyde Park Choir"]
    assert _found(viewer, text="tenant*") == ["Tenants Union", "Hyde Park Choir"]
    assert _found(viewer, text="-tenants") == ["Tenants Union", "Hyde Park Choir"]
    # Operators are words like any other: there is no "or", and no group says "near".
    assert _found(viewer, text="tenants OR choir") == ["Hyde Park Choir"]
    assert _found(viewer, text="NEAR(tenants union)") == []
    assert _found(viewer, text="*") == [] and _found(viewer, text='"') == []
    assert Group.objects.count() == 2


@pytest.mark.django_db
def test_search_combines_with_district_radius_kind_and_issue(
    organiser: User, make_member: MakeMember
) -> None:
    _group(organiser, "Headingley Tenants", "Tenants organising.", districts=["LS6"],
           kind="campaign", issues=["housing"])  # fmt: skip
    _group(organiser, "Bradford Tenants", "Tenants organising.", districts=["BD1"],
           kind="campaign", issues=["housing"])  # fmt: skip
    _group(organiser, "Manchester Tenants", "Tenants organising.", districts=["M1"],
           kind="campaign", issues=["housing"])  # fmt: skip
    _group(organiser, "Leeds Tenants Branch", "Tenants organising.", districts=["LS2"],
           kind="local_branch", issues=["housing"])  # fmt: skip
    _group(organiser, "Leeds Tenants Choir", "Tenants singing.", districts=["LS7"],
           kind="campaign", issues=["climate"])  # fmt: skip
    _group(organiser, "Leeds Nurses", "Organising on the wards.", districts=["LS1"],
           kind="campaign", issues=["housing"])  # fmt: skip
    viewer = make_member()
    search = {"text": "tenant", "place": "LS2", "kind": "campaign", "issue": "housing"}
    assert _found(viewer, **search) == [
        "Headingley Tenants",
        "Bradford Tenants",
        "Manchester Tenants",
    ]
    assert _found(viewer, **search, radius_km=25) == ["Headingley Tenants", "Bradford Tenants"]
    assert _found(viewer, **search, radius_km=5) == ["Headingley Tenants"]
    assert _found(viewer, **{**search, "kind": ""}, radius_km=5) == [
        "Leeds Tenants Branch",
        "Headingley Tenants",
    ]
    distances = [g.distance_km for g in directory_search(viewer=viewer, **search).groups]  # type: ignore[attr-defined]
    assert distances == sorted(distances) and 2 < distances[0] < 5


@pytest.mark.django_db
def test_the_index_follows_a_groups_edits_and_its_deletion(
    organiser: User, make_member: MakeMember
) -> None:
    group = _group(organiser, "Harehills Tenants", "Renters of Harehills.")
    viewer = make_member()
    group_update(group=group, details=_details("Harehills Choir", "Singing in Harehills."))
    assert _found(viewer, text="tenants") == [] and _found(viewer, text="renters") == []
    assert _found(viewer, text="sings") == ["Harehills Choir"]
    Group.objects.filter(pk=group.pk).delete()
    assert _found(viewer, text="harehills") == []
    _group(organiser, "Chapeltown Renters", "Renters of Chapeltown.")
    assert _found(viewer, text="renters") == ["Chapeltown Renters"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Raises if the index holds anything its table does not (or misses anything).
            cursor.execute(
                "INSERT INTO groups_group_fts(groups_group_fts, rank) VALUES ('integrity-check', 1)"
            )


@pytest.mark.django_db
def test_the_api_searches_with_q(organiser: User, make_member: MakeMember, client: Client) -> None:
    _group(organiser, "Tenants Union", "Renters of Leeds.", districts=["LS2"])
    _group(organiser, "Hyde Park Choir", "Singing for tenants.", districts=["LS6"])
    _group(organiser, "Bradford Nurses", "Organising on the wards.", districts=["BD1"])
    client.force_login(make_member())
    rows = client.get("/api/v1/groups", {"q": "tenant"}).json()
    assert [row["name"] for row in rows] == ["Tenants Union", "Hyde Park Choir"]
    rows = client.get("/api/v1/groups", {"q": "tenant", "place": "LS6"}).json()
    assert [row["name"] for row in rows] == ["Hyde Park Choir", "Tenants Union"]
    assert rows[0]["distance_km"] == 0.0
    assert client.get("/api/v1/groups", {"q": '" OR *'}).json() == []
