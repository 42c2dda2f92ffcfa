from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import Role
from rankandfile.groups.services import group_join, membership_set_role
from tests.personas import MakeGroup, MakeMember, login_with_second_factor


def _organiser_urls(slug: str) -> list[str]:
    return [
        reverse("groups:manage", kwargs={"slug": slug}),
        reverse("groups:edit", kwargs={"slug": slug}),
        reverse("groups:create"),
    ]


@pytest.mark.django_db
def test_an_organiser_without_mfa_is_sent_to_set_it_up(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    organiser = make_member(mfa=False)
    group_join(group=group, member=organiser)
    membership_set_role(group=group, member=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    for url in _organiser_urls(group.slug):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_index")), url
    response = client.post(
        reverse("groups:invite", kwargs={"slug": group.slug}), {"email": "x@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_index"))


@pytest.mark.django_db
def test_an_organiser_with_mfa_reaches_organiser_pages(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    login_with_second_factor(client, organiser)
    for url in _organiser_urls(group.slug):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_member_with_mfa_who_is_not_an_organiser_gets_not_found(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    member = make_member(mfa=True)
    group_join(group=group, member=member)
    login_with_second_factor(client, member)
    assert client.get(reverse("groups:manage", kwargs={"slug": group.slug})).status_code == 404


@pytest.mark.django_db
def test_staff_without_mfa_cannot_use_the_admin_site(
    client: Client, make_member: MakeMember
) -> None:
    staff = make_member(mfa=False)
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    staff_with_mfa = make_member(mfa=True)
    staff_with_mfa.is_staff = staff_with_mfa.is_superuser = True
    staff_with_mfa.save()
    login_with_second_factor(client, staff_with_mfa)
    assert client.get("/admin/").status_code == 200
