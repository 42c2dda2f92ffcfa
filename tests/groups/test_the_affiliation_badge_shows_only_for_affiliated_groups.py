"""Affiliated groups show the network's badge on their page, in the directory's rows and in the
API (which anyone may read for public and listed groups, without a token); a group that has only
applied, was declined or has left shows none."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.groups.affiliations import affiliation_leave
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.selectors import DIRECTORY_PER_PAGE
from rankandfile.notifications.services import affiliation_apply, affiliation_decide
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db

BADGE = '<span class="badge">Affiliated'


def _groups_by_state(make_member: MakeMember, make_group: MakeGroup) -> dict[str, Group]:
    coordinator = make_member(coordinator=True)
    groups = {}
    for state in ("affiliated", "pending", "declined", "left", "never"):
        organiser = make_member(mfa=True)
        group = make_group(organiser=organiser, name=f"Group {state}")
        groups[state] = group
        if state == "never":
            continue
        affiliation = affiliation_apply(group=group, organiser=organiser)
        if state == "pending":
            continue
        affiliation_decide(
            affiliation=affiliation,
            coordinator=coordinator,
            approve=state != "declined",
            reason="Not a group of the network's kind.",
        )
        if state == "left":
            affiliation_leave(group=group, organiser=organiser)
    return groups


def test_the_badge_shows_on_the_group_page_only_when_affiliated(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    groups = _groups_by_state(make_member, make_group)
    client = Client()
    for state, group in groups.items():
        page = client.get(group.get_absolute_url()).content.decode()
        assert (BADGE in page) == (state == "affiliated"), state


def test_the_badge_shows_in_the_directory_rows_only_for_affiliated_groups(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    groups = _groups_by_state(make_member, make_group)
    page = Client().get(reverse("groups:list")).content.decode()
    for state, group in groups.items():
        row = page.split(f'href="{group.get_absolute_url()}"')[1].split("</h3>")[0]
        assert (BADGE in row) == (state == "affiliated"), state
    assert page.count(BADGE) == 1


def test_the_api_says_which_groups_are_affiliated_without_a_token(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    groups = _groups_by_state(make_member, make_group)
    anonymous = Client()
    rows = {row["slug"]: row for row in anonymous.get("/api/v1/groups").json()}
    for state, group in groups.items():
        assert rows[group.slug]["affiliated"] == (state == "affiliated"), state
        assert (rows[group.slug]["affiliated_since"] is not None) == (state == "affiliated")
        one = anonymous.get(f"/api/v1/groups/{group.slug}")
        assert one.status_code == 200
        assert one.json()["affiliated"] == (state == "affiliated")
        assert one.json() == rows[group.slug]


def test_a_hidden_group_is_read_only_by_its_members_token_or_session(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    hidden = make_group(visibility="hidden", organiser=organiser, name="Quiet caucus")
    affiliation = affiliation_apply(group=hidden, organiser=organiser)
    affiliation_decide(
        affiliation=affiliation, coordinator=make_member(coordinator=True), approve=True
    )
    url = f"/api/v1/groups/{hidden.slug}"
    assert Client().get(url).status_code == 404
    assert hidden.slug not in Client().get("/api/v1/groups").content.decode()
    outsider = Client()
    outsider.force_login(make_member())
    assert outsider.get(url).status_code == 404

    member = make_member()
    Membership.objects.create(group=hidden, member=member)
    _, token = api_token_create(member=member, name="phone", scope=TokenScope.READ)
    with_token = Client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 200
    assert with_token.json()["affiliated"] is True
    # A bad token is refused, never read as an anonymous visitor.
    bad = Client().get("/api/v1/groups", headers={"Authorization": "Bearer rf_not-a-token"})
    assert bad.status_code == 401


def test_the_directory_and_its_api_stay_at_a_fixed_number_of_queries_with_affiliations(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: object,
) -> None:
    coordinator = make_member(coordinator=True)
    organiser = make_member(mfa=True)
    for n in range(DIRECTORY_PER_PAGE):
        group = make_group(organiser=organiser, name=f"Branch {n:02d}")
        if n % 2:
            affiliation_decide(
                affiliation=affiliation_apply(group=group, organiser=organiser),
                coordinator=coordinator,
                approve=True,
            )
    client = Client()
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        page = client.get(reverse("groups:list")).content.decode()
    assert page.count(BADGE) == DIRECTORY_PER_PAGE // 2
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        rows = client.get("/api/v1/groups").json()
    assert sum(row["affiliated"] for row in rows) == DIRECTORY_PER_PAGE // 2


@pytest.mark.parametrize("slug", ["no-such-group", "x" * 500, "%2e%2e", "café", "1", "groups"])
def test_reading_a_group_that_is_not_there_answers_404_never_a_server_error(slug: str) -> None:
    assert Client().get(f"/api/v1/groups/{slug}").status_code == 404
