"""Requests to join a listed group have their own organisers' page: a table, 50 a page, the
oldest first, searched by name, linked from the manage page; each row approves or declines
through one fixed action address that takes the request's id in the form and answers a GET
with the page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group, JoinRequest, JoinRequestStatus, Membership
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def _ask(group: Group, make_member: MakeMember, n: int, *, start: int = 0) -> list[JoinRequest]:
    requests = []
    for i in range(start, start + n):
        outcome = group_join(group=group, member=make_member(display_name=f"Hopeful {i:02d}"))
        assert outcome.join_request is not None
        requests.append(outcome.join_request)
    return requests


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Name">([^<]*)</th>', html)


def _listed_group(make_member: MakeMember, make_group: MakeGroup) -> tuple[Group, User, Client]:
    organiser = make_member(mfa=True)
    group = make_group(visibility="listed", organiser=organiser, name="Listed Branch")
    client = Client()
    login_with_second_factor(client, organiser)
    return group, organiser, client


def test_the_manage_page_links_to_the_requests_which_page_by_fifty(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, _, client = _listed_group(make_member, make_group)
    requests_url = reverse("groups:requests", kwargs={"slug": group.slug})
    _ask(group, make_member, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(requests_url).status_code == 200
    few = few.captured_queries  # now, before the next request empties the log
    _ask(group, make_member, 53, start=2)

    manage = client.get(reverse("groups:manage", kwargs={"slug": group.slug})).content.decode()
    assert f'href="{requests_url}">Requests to join (55 waiting)' in manage
    with CaptureQueriesContext(connection) as many:
        first = client.get(requests_url).content.decode()
    many = many.captured_queries  # now, before the next request empties the log
    second = client.get(requests_url, {"page": "2"}).content.decode()

    assert len(many) == len(few)
    assert _rows(first) == [f"Hopeful {i:02d}" for i in range(50)]  # the oldest first
    assert _rows(second) == [f"Hopeful {i:02d}" for i in range(50, 55)]
    assert "55 requests waiting" in first and "Page 2 of 2" in second
    # One compact form a row: the id goes in the form, not in the address.
    assert first.count('name="request_id"') == 50
    decide = reverse("groups:decide_request", kwargs={"slug": group.slug})
    assert first.count(f'action="{decide}"') == 50


def test_approve_and_decline_by_id_in_the_form_and_return_to_the_same_page(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, organiser, client = _listed_group(make_member, make_group)
    first, second = _ask(group, make_member, 2)
    decide = reverse("groups:decide_request", kwargs={"slug": group.slug})
    requests_url = reverse("groups:requests", kwargs={"slug": group.slug})

    response = client.post(
        decide, {"request_id": first.pk, "decision": "approve", "back": "page=1"}
    )
    assert response.status_code == 302 and response["Location"] == f"{requests_url}?page=1"
    first.refresh_from_db()
    assert first.status == JoinRequestStatus.APPROVED and first.decided_by == organiser
    assert Membership.objects.filter(group=group, member=first.member).exists()

    response = client.post(decide, {"request_id": second.pk, "decision": "decline"})
    assert response["Location"] == requests_url
    second.refresh_from_db()
    assert second.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(group=group, member=second.member).exists()

    page = client.get(requests_url).content.decode()
    assert _rows(page) == [] and "No requests are waiting." in page

    # Deciding again says so and changes nothing.
    response = client.post(decide, {"request_id": second.pk, "decision": "approve"}, follow=True)
    assert "already been decided" in response.content.decode()
    assert not Membership.objects.filter(group=group, member=second.member).exists()


def test_a_get_on_the_decision_address_goes_to_the_requests_page_and_decides_nothing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, _, client = _listed_group(make_member, make_group)
    (join_request,) = _ask(group, make_member, 1)

    response = client.get(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": join_request.pk, "decision": "approve"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:requests", kwargs={"slug": group.slug})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_a_request_to_another_group_cannot_be_decided_from_this_one(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, _, client = _listed_group(make_member, make_group)
    other = make_group(visibility="listed")
    (theirs,) = _ask(other, make_member, 1)

    response = client.post(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": theirs.pk, "decision": "approve"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == JoinRequestStatus.PENDING

    # And a form without a usable id or decision changes nothing either.
    response = client.post(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": "x", "decision": "approve"},
        follow=True,
    )
    assert "nothing was changed" in response.content.decode()


def test_only_the_groups_organisers_see_its_requests(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, _, _ = _listed_group(make_member, make_group)
    _ask(group, make_member, 1)
    requests_url = reverse("groups:requests", kwargs={"slug": group.slug})
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    member_client, anonymous = Client(), Client()
    login_with_second_factor(member_client, member)

    assert anonymous.get(requests_url).status_code == 302
    response = member_client.get(requests_url)
    assert response.status_code == 404
    assert "Hopeful" not in response.content.decode()


def test_requests_are_searched_by_name_keeping_the_search_across_pages_and_decisions(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group, _, client = _listed_group(make_member, make_group)
    requests_url = reverse("groups:requests", kwargs={"slug": group.slug})
    _ask(group, make_member, 55)  # Hopeful 00 to Hopeful 54
    for name in ("Ada Wren", "Bea Wrenfield"):
        group_join(group=group, member=make_member(display_name=name))
    with CaptureQueriesContext(connection) as unsearched:
        client.get(requests_url)
    unsearched = unsearched.captured_queries  # now, before the next request empties the log

    with CaptureQueriesContext(connection) as searched:
        wrens = client.get(requests_url, {"text": "wREN"}).content.decode()
    assert _rows(wrens) == ["Ada Wren", "Bea Wrenfield"]
    assert "2 requests match your search" in wrens
    assert 'value="wREN"' in wrens  # the search box keeps what was typed
    # The search loads the pending requests in one query (names are encrypted at rest).
    assert len(searched.captured_queries) <= len(unsearched)

    # Paging keeps the search: 55 hopefuls, 50 a page.
    first = client.get(requests_url, {"text": "hopeful"}).content.decode()
    next_link = re.search(r'rel="next" href="\?([^"]*)"', first)
    assert next_link is not None
    assert parse_qs(next_link.group(1).replace("&amp;", "&")) == {
        "text": ["hopeful"],
        "page": ["2"],
    }
    second = client.get(requests_url, {"text": "hopeful", "page": "2"}).content.decode()
    assert _rows(first) == [f"Hopeful {i:02d}" for i in range(50)]
    assert _rows(second) == [f"Hopeful {i:02d}" for i in range(50, 55)]
    assert "55 requests match your search" in first

    # A decision made from a searched page comes back to it.
    assert 'name="back" value="text=wREN"' in wrens
    # Display names are encrypted at rest: not a database look-up.
    ada = next(
        r
        for r in JoinRequest.objects.select_related("member")
        if r.member.display_name == "Ada Wren"
    )
    response = client.post(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": ada.pk, "decision": "approve", "back": "text=wREN"},
    )
    assert response["Location"] == f"{requests_url}?text=wREN"
    assert _rows(client.get(response["Location"]).content.decode()) == ["Bea Wrenfield"]

    nobody = client.get(requests_url, {"text": "Zebedee"}).content.decode()
    assert _rows(nobody) == [] and "No request matches." in nobody
    too_long = client.get(requests_url, {"text": "x" * 101}).content.decode()
    assert 'class="error-summary"' in too_long and len(_rows(too_long)) == 50
