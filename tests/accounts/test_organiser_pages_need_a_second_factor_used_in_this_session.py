"""A second factor set up is not enough: organiser and admin pages need one used in this session,
and a second factor can be enrolled only after reauthenticating with more than the password."""

from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.groups.models import Role
from rankandfile.groups.services import group_join, membership_set_role
from tests.personas import (
    TEST_PASSWORD,
    TOTP_SECRET,
    MakeGroup,
    MakeMember,
    reauthenticate_with_an_email_code,
)

pytestmark = pytest.mark.django_db


def _password_login(client: Client, member: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)


def _sent_to(client: Client, url: str) -> str:
    """Where a page sends the member (through the admin's login page, for admin pages)."""
    location = client.get(url)["Location"]
    if location.startswith(reverse("admin:login")):
        location = client.get(location)["Location"]
    return str(location)


def test_a_password_session_on_an_account_that_later_got_totp_must_use_it_first(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    organiser = make_member()
    organiser.is_staff = organiser.is_superuser = True
    organiser.save()
    group_join(group=group, member=organiser)
    membership_set_role(group=group, member=organiser, role=Role.ORGANISER)
    client = Client()
    _password_login(client, organiser)
    TOTP.activate(organiser, TOTP_SECRET)  # enrolled later, in another session

    manage = reverse("groups:manage", kwargs={"slug": group.slug})
    for url in (manage, "/admin/", "/notifications/outbox/", reverse("ballots:create")):
        assert _sent_to(client, url).startswith(reverse("mfa_reauthenticate")), url

    response = client.get(manage)
    response = client.post(response["Location"], {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response["Location"] == manage
    assert client.get(manage).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_adding_totp_needs_a_code_from_the_mailbox_not_the_password(
    make_member: MakeMember,
) -> None:
    member = make_member()
    client = Client()
    _password_login(client, member)
    activate = reverse("mfa_activate_totp")

    response = client.get(activate)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_request_reauthentication_code"))
    # Someone who holds only the password cannot reauthenticate with it...
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 403
    assert client.get(activate).status_code == 302
    # ... the member, who reads their email, can.
    reauthenticate_with_an_email_code(client, member)
    assert client.get(activate).status_code == 200


def test_a_session_that_just_enrolled_totp_types_one_code_before_organiser_pages(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    """allauth does not count enrolling as using the factor, and neither do we."""
    group = make_group()
    organiser = make_member()
    group_join(group=group, member=organiser)
    membership_set_role(group=group, member=organiser, role=Role.ORGANISER)
    client = Client()
    _password_login(client, organiser)
    manage = reverse("groups:manage", kwargs={"slug": group.slug})
    assert client.get(manage)["Location"].startswith(reverse("mfa_index"))
    TOTP.activate(organiser, TOTP_SECRET)
    assert client.get(manage)["Location"].startswith(reverse("mfa_reauthenticate"))
