"""Walk every group and account page as each persona: deny by default, and say who gets what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import Group, Membership
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

ANON, OUTSIDER, MEMBER, ORGANISER = "anonymous", "outsider", "member", "organiser"


def _pages(group: Group) -> dict[str, str]:
    slug = {"slug": group.slug}
    return {
        "detail": reverse("groups:detail", kwargs=slug),
        "manage": reverse("groups:manage", kwargs=slug),
        "requests": reverse("groups:requests", kwargs=slug),
        "edit": reverse("groups:edit", kwargs=slug),
        "profile": reverse("accounts:profile"),
        "consents": reverse("accounts:consents"),
    }


# Expected GET status per visibility, page and persona. 302 for anonymous means "log in first".
EXPECTED = {
    "public": {
        "detail": {ANON: 200, OUTSIDER: 200, MEMBER: 200, ORGANISER: 200},
        "manage": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
        "requests": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
        "edit": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
    },
    "hidden": {
        "detail": {ANON: 404, OUTSIDER: 404, MEMBER: 200, ORGANISER: 200},
        "manage": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
        "requests": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
        "edit": {ANON: 302, OUTSIDER: 404, MEMBER: 404, ORGANISER: 200},
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_every_page_answers_each_persona_as_expected(
    visibility: str, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility=visibility, organiser=organiser)
    member = make_member(mfa=True)
    outsider = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    clients = {ANON: Client(), OUTSIDER: Client(), MEMBER: Client(), ORGANISER: Client()}
    login_with_second_factor(clients[OUTSIDER], outsider)
    login_with_second_factor(clients[MEMBER], member)
    login_with_second_factor(clients[ORGANISER], organiser)
    pages = _pages(group)
    for page, by_persona in EXPECTED[visibility].items():
        for persona, status in by_persona.items():
            got = clients[persona].get(pages[page]).status_code
            assert got == status, f"{visibility} {page} as {persona}: {got}, expected {status}"
    for page in ("profile", "consents"):
        assert clients[ANON].get(pages[page]).status_code == 302
        for persona in (OUTSIDER, MEMBER, ORGANISER):
            assert clients[persona].get(pages[page]).status_code == 200


@pytest.mark.django_db
def test_organiser_actions_on_another_group_are_refused(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    mine = make_group(organiser=make_member(mfa=True))
    theirs = make_group(visibility="listed")
    intruder_client = Client()
    intruder = mine.memberships.get().member
    login_with_second_factor(intruder_client, intruder)
    target = make_member()
    group_join(group=theirs, member=target)
    request = theirs.join_requests.get()
    for url, data in [
        (reverse("groups:invite", kwargs={"slug": theirs.slug}), {"email": "x@example.org"}),
        (
            reverse("groups:decide_request", kwargs={"slug": theirs.slug}),
            {"request_id": request.pk, "decision": "approve"},
        ),
        (
            reverse("groups:member_role", kwargs={"slug": theirs.slug}),
            {"member_id": target.pk, "role": "organiser"},
        ),
    ]:
        assert intruder_client.post(url, data).status_code == 404, url
    request.refresh_from_db()
    assert request.status == "pending"
