"""The admin takes no password of its own: it sends staff to allauth's login, with its second
factor stage and its rate limits, and lets them in only with a second factor used."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from tests.personas import TEST_PASSWORD, MakeMember

pytestmark = pytest.mark.django_db


def _staff(make_member: MakeMember) -> User:
    staff = make_member(mfa=True)
    staff.is_staff = staff.is_superuser = True
    staff.save()
    return staff


def test_a_correct_password_at_the_admin_login_does_not_open_the_admin(
    make_member: MakeMember,
) -> None:
    staff = _staff(make_member)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_password_without_the_second_factor_never_reaches_the_admin_index(
    make_member: MakeMember,
) -> None:
    staff = _staff(make_member)
    client = Client()
    login = client.get("/admin/login/?next=/admin/")["Location"]
    response = client.post(login, {"login": staff.email, "password": TEST_PASSWORD})
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    response = client.get("/admin/", follow=True)
    assert b"Site administration" not in response.content
    assert response.redirect_chain[-1][0] != "/admin/"
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_on_the_way_to_the_admin_are_rate_limited(
    make_member: MakeMember,
) -> None:
    staff = _staff(make_member)
    client = Client()
    login = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(25):
        response = client.post(login, {"login": staff.email, "password": "not the password"})
        assert response.status_code in (200, 429)
    response = client.post(login, {"login": staff.email, "password": TEST_PASSWORD})
    assert response.status_code in (200, 429)  # the form again, not the second factor
    assert not str(response.get("Location", "")).startswith(reverse("mfa_authenticate"))
    assert b"Too many failed login attempts" in response.content or response.status_code == 429
