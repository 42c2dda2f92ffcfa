from __future__ import annotations

import random
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import IssueTag, User
from rankandfile.groups.models import Group, GroupDistrict, GroupKind, Membership, Visibility
from rankandfile.groups.selectors import DIRECTORY_PER_PAGE
from rankandfile.lib.geo import district_centroids
from tests.personas import MakeMember

GROUPS = 10_000
WORDS = ["tenants", "nurses", "renters", "organising", "singing", "cycling", "unions"]

SEARCHES: list[dict[str, str]] = [
    {},
    {"page": "7"},
    {"q": "organising tenants"},
    {"place": "LS"},
    {"place": "LS2"},
    {"place": "LS2", "radius_km": "25"},
    {"place": "LS2", "radius_km": "100", "q": "organising", "kind": "campaign"},
    {"place": "M1", "radius_km": "50", "q": "tenants", "kind": "campaign", "issue": "housing"},
    {"q": "nurses", "kind": "union_branch", "issue": "housing", "page": "2"},
    {"place": "ZZ99"},
]


@pytest.fixture
def ten_thousand_groups(make_member: MakeMember) -> User:
    """10,000 groups spread over real districts, made in bulk (not through the services); a
    member who belongs to some of them, hidden ones included."""
    rng = random.Random(19)  # the same groups every run
    districts = sorted(district_centroids())
    kinds = [k.value for k in GroupKind]
    visibilities = [Visibility.PUBLIC, Visibility.PUBLIC, Visibility.LISTED, Visibility.HIDDEN]
    groups = Group.objects.bulk_create(
        (
            Group(
                name=f"{rng.choice(WORDS).title()} {i}",
                slug=f"group-{i}",
                kind=rng.choice(kinds),
                visibility=visibilities[i % len(visibilities)],
                description=f"We are {rng.choice(WORDS)} together.",
            )
            for i in range(GROUPS)
        ),
        batch_size=1000,
    )
    GroupDistrict.objects.bulk_create(
        (
            GroupDistrict.covering(group=group, district=district)
            for group in groups
            for district in rng.sample(districts, 2)
        ),
        batch_size=2000,
    )
    issues = list(IssueTag.objects.order_by("pk"))
    Group.issues.through.objects.bulk_create(
        (Group.issues.through(group=group, issuetag=rng.choice(issues)) for group in groups),
        batch_size=2000,
    )
    member = make_member()
    Membership.objects.bulk_create(Membership(group=g, member=member) for g in groups[:200])
    return member


@pytest.mark.django_db
def test_the_directory_page_answers_any_search_in_the_same_few_queries(
    client: Client, ten_thousand_groups: User, django_assert_max_num_queries: Any
) -> None:
    # The issue choices, the count, the page of groups with their member counts, their
    # districts and their issues.
    for search in SEARCHES:
        with django_assert_max_num_queries(5):
            response = client.get(reverse("groups:list"), search)
        assert response.status_code == 200
        assert response.text.count('<li class="card">') <= DIRECTORY_PER_PAGE
    found = {
        n: int(re.search(r"<p>(\d+) groups? found", client.get(reverse("groups:list"), s).text)[1])  # type: ignore[index]
        for n, s in enumerate(SEARCHES)
    }
    assert found[0] == GROUPS * 3 // 4  # not the hidden ones
    assert all(found[n] > 0 for n in range(len(SEARCHES) - 1)), found


@pytest.mark.django_db
def test_the_directory_api_answers_any_search_in_the_same_few_queries(
    client: Client, ten_thousand_groups: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(ten_thousand_groups)
    for search in SEARCHES:
        # The session and the member, then as the page without the issue choices, and the
        # campaign groups' backing counts (by groups, by members).
        with django_assert_max_num_queries(8):
            response = client.get("/api/v1/groups", search)
        assert response.status_code == 200, search
        assert len(response.json()) <= DIRECTORY_PER_PAGE
    assert len(client.get("/api/v1/groups", SEARCHES[6]).json()) == DIRECTORY_PER_PAGE
