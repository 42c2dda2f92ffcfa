"""The organiser's member table (the group's manage page): search by name or shared email,
filters by role, vouch and joining date, 50 rows a page with the filters kept in the page links,
one "Manage" disclosure per row, vouching explained, and the same number of queries whatever
the size of the group."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.campaigns.services import vouch_create
from rankandfile.groups.models import Group, Membership, Role
from rankandfile.groups.services import group_join, membership_set_role
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

WITH_INTRODUCTIONS = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)


def _rows(html: str) -> list[str]:
    """The display names in the member table, in order."""
    body = html.split('<table class="table-reflow member-table">', 1)
    if len(body) == 1:
        return []
    return re.findall(r'<th scope="row" data-label="Name">([^<]*)</th>', body[1])


def _manage(client: Client, group: Group, **query: str) -> str:
    response = client.get(reverse("groups:manage", kwargs={"slug": group.slug}), query)
    assert response.status_code == 200
    return response.content.decode()


def _organiser_client(organiser: User) -> Client:
    client = Client()
    login_with_second_factor(client, organiser)
    return client


def _add_members(group: Group, make_member: MakeMember, n: int, prefix: str) -> list[User]:
    members = [make_member(display_name=f"{prefix} {i:02d}") for i in range(n)]
    for member in members:
        group_join(group=group, member=member)
    return members


def test_a_big_group_pages_by_fifty_in_a_constant_number_of_queries(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True, display_name="Aaron Organiser")
    group = make_group(organiser=organiser)
    client = _organiser_client(organiser)
    _add_members(group, make_member, 3, "Early")

    with CaptureQueriesContext(connection) as small:
        _manage(client, group)
    small = small.captured_queries  # now, before the next request empties the log

    members = _add_members(group, make_member, 60, "Member")
    for member in members[:10]:
        vouch_create(group=group, organiser=organiser, member=member)
    with CaptureQueriesContext(connection) as big:
        first = _manage(client, group)
    big = big.captured_queries  # now, before the next request empties the log
    with CaptureQueriesContext(connection) as big_second_page:
        second = _manage(client, group, page="2")

    assert len(big) == len(small)
    assert len(big_second_page.captured_queries) == len(small)
    # Organisers first, then by name; 64 members: 50 on the first page, 14 on the second.
    first_rows, second_rows = _rows(first), _rows(second)
    assert len(first_rows) == 50 and len(second_rows) == 14
    assert first_rows[0] == "Aaron Organiser"
    assert set(first_rows).isdisjoint(second_rows)
    assert "Showing 1 to 50 of 64" in first and "Page 2 of 2" in second


def test_search_finds_names_and_only_the_emails_members_share(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    sharing = make_member(
        display_name="Rosa", email="rosa.sharer@example.org", consents=WITH_INTRODUCTIONS
    )
    private = make_member(display_name="Karl", email="karl.private@example.org")
    for member in (sharing, private):
        group_join(group=group, member=member)
    client = _organiser_client(organiser)

    assert _rows(_manage(client, group, text="ros")) == ["Rosa"]
    assert _rows(_manage(client, group, text="rosa.sharer")) == ["Rosa"]
    # Karl does not share his address: searching by it must not say which pseudonym is his.
    html = _manage(client, group, text="karl.private@example.org")
    assert _rows(html) == [] and "No member matches" in html
    assert "karl.private@example.org" not in _manage(client, group)
    assert "rosa.sharer@example.org" in _manage(client, group)


def test_filters_by_role_vouch_and_joining_date_and_keeps_them_in_page_links(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True, display_name="Orla")
    group = make_group(organiser=organiser)
    co_organiser, vouched, newcomer = (
        make_member(display_name=name) for name in ("Cora", "Vera", "Nina")
    )
    for member in (co_organiser, vouched, newcomer):
        group_join(group=group, member=member)
    membership_set_role(group=group, member=co_organiser, role=Role.ORGANISER)
    vouch_create(group=group, organiser=organiser, member=vouched)
    long_ago = timezone.now() - timedelta(days=400)
    Membership.objects.filter(group=group).exclude(member=newcomer).update(joined_at=long_ago)
    client = _organiser_client(organiser)

    assert _rows(_manage(client, group, role="organiser")) == ["Cora", "Orla"]
    assert _rows(_manage(client, group, role="member")) == ["Nina", "Vera"]
    assert _rows(_manage(client, group, vouched="yes")) == ["Vera"]
    assert _rows(_manage(client, group, vouched="no")) == ["Cora", "Orla", "Nina"]
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert _rows(_manage(client, group, joined_since=since)) == ["Nina"]
    # A date that is not one is an error beside the field and filters nothing.
    html = _manage(client, group, joined_since="not a date")
    assert 'class="error-summary"' in html and len(_rows(html)) == 4
    # The filters folded under the search box are shown open when one is set or wrong.
    assert '<details class="more-filters" open>' in html
    assert '<details class="more-filters" open>' in _manage(client, group, role="member")
    assert '<details class="more-filters">' in _manage(client, group, text="Nina")

    _add_members(group, make_member, 55, "Member")
    html = _manage(client, group, role="member", vouched="no")
    assert len(_rows(html)) == 50
    next_link = re.search(r'rel="next" href="\?([^"]*)"', html)
    assert next_link is not None
    query = parse_qs(next_link.group(1).replace("&amp;", "&"))
    assert query == {"role": ["member"], "vouched": ["no"], "page": ["2"]}
    # Nina and the 55 new members.
    assert len(_rows(_manage(client, group, role="member", vouched="no", page="2"))) == 56 - 50


def test_each_row_has_one_manage_disclosure_and_vouching_is_explained(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    _add_members(group, make_member, 30, "Member")
    html = _manage(_organiser_client(organiser), group)

    assert len(_rows(html)) == 31
    assert html.count('<details class="row-actions">') == 31
    assert html.count("<summary>Manage") == 31
    assert "What vouching means" in html
    assert "know them as a real person" in html
    assert ">Change<" not in html


def test_row_actions_bring_the_organiser_back_to_the_same_filtered_page(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    (member,) = _add_members(group, make_member, 1, "Member")
    client = _organiser_client(organiser)
    manage = reverse("groups:manage", kwargs={"slug": group.slug})
    back = "text=Mem&vouched=no&page=1"

    response = client.post(
        reverse("campaigns:vouch", kwargs={"group_slug": group.slug, "member_id": member.pk}),
        {"back": back},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{manage}?{back}"
    assert _rows(_manage(client, group, vouched="yes")) == ["Member 00"]

    response = client.post(
        reverse("groups:member_role", kwargs={"slug": group.slug}),
        {"member_id": member.pk, "role": "organiser", "back": back},
    )
    assert response["Location"] == f"{manage}?{back}"
    assert Membership.objects.get(group=group, member=member).role == Role.ORGANISER
    assert "Member 00 is now an organiser." in _manage(client, group)

    # "back" is only ever a query string on the same page, whatever is sent in it.
    response = client.post(
        reverse("groups:member_role", kwargs={"slug": group.slug}),
        {"member_id": member.pk, "role": "member", "back": "//evil.example/?x=1"},
    )
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", manage)


def test_a_get_on_the_role_action_goes_to_the_table_and_changes_nothing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    (member,) = _add_members(group, make_member, 1, "Member")
    client = _organiser_client(organiser)

    response = client.get(
        reverse("groups:member_role", kwargs={"slug": group.slug}),
        {"member_id": member.pk, "role": "organiser"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:manage", kwargs={"slug": group.slug})
    assert Membership.objects.get(group=group, member=member).role == Role.MEMBER


def test_the_role_action_refuses_a_member_of_another_group(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    elsewhere = make_group()
    (stranger,) = _add_members(elsewhere, make_member, 1, "Stranger")
    client = _organiser_client(organiser)

    response = client.post(
        reverse("groups:member_role", kwargs={"slug": group.slug}),
        {"member_id": stranger.pk, "role": "organiser"},
    )
    assert response.status_code == 404
    assert Membership.objects.get(group=elsewhere, member=stranger).role == Role.MEMBER
