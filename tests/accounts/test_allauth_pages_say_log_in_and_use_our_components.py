"""allauth's account, two-factor, email, password and session pages come in our page frame
(stylesheet, header), with our components (buttons, fields, error summary) and our words:
"Log in" and "Log out", never "Sign in" or "Sign out"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from tests.personas import (
    TEST_PASSWORD,
    MakeMember,
    login_with_second_factor,
    reauthenticate_with_an_email_code,
)

SIGN_WORDS = re.compile(r"sign[ -]?(in|out)|signed (in|out)", re.IGNORECASE)


def _assert_ours(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert "/static/css/site.css" in html, url
    assert 'class="site-header"' in html, url
    assert html.count("<h1") == 1, url
    assert 'class="button' in html, url  # our buttons, not allauth's bare ones
    found = SIGN_WORDS.search(html)
    assert found is None, (url, found and html[found.start() - 80 : found.end() + 80])
    return html


@pytest.mark.django_db
def test_the_entrance_pages_say_log_in_and_use_our_fields() -> None:
    client = Client()
    login = _assert_ours(client, reverse("account_login"))
    assert re.search(r"<h1>\s*Log in\s*</h1>", login)
    assert 'class="field' in login and '<label for="id_login">' in login
    _assert_ours(client, reverse("account_signup"))
    _assert_ours(client, reverse("account_reset_password"))


@pytest.mark.django_db
def test_a_wrong_password_comes_back_with_the_error_summary(make_member: MakeMember) -> None:
    member = make_member()
    response = Client().post(
        reverse("account_login"), {"login": member.email, "password": "not the password"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and "data-error-summary" in html
    assert f'value="{member.email}"' in html


@pytest.mark.django_db
def test_the_account_settings_pages_are_ours_for_a_logged_in_member(
    make_member: MakeMember,
) -> None:
    member = make_member()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    for name in ("account_email", "account_change_password", "mfa_index", "account_logout"):
        _assert_ours(client, reverse(name))
    sessions = _assert_ours(client, reverse("usersessions_list"))
    assert 'class="table-reflow sessions"' in sessions
    assert 'data-label="Browser"' in sessions
    assert "Log out" in _assert_ours(client, reverse("account_logout"))

    reauthenticate_with_an_email_code(client, member)
    activate = _assert_ours(client, reverse("mfa_activate_totp"))
    assert 'class="qr-code"' in activate


@pytest.mark.django_db
def test_the_second_factor_and_recovery_code_pages_are_ours(make_member: MakeMember) -> None:
    member: User = make_member(mfa=True)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    authenticate = _assert_ours(client, reverse("mfa_authenticate"))
    assert '<label for="id_code">' in authenticate

    login_with_second_factor(client, member)
    _assert_ours(client, reverse("mfa_index"))
    reauthenticate_with_an_email_code(client, member)
    codes = _assert_ours(client, reverse("mfa_generate_recovery_codes"))
    assert 'class="stack"' in codes


@pytest.mark.django_db
def test_sign_up_with_a_mistake_keeps_the_passwords_and_shows_the_summary_first() -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org",
            "display_name": "Red Robin",
            "postcode_district": "LS6",
            "password1": "a long enough passphrase",
            "password2": "a different passphrase",
            "consent_membership": "on",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign up" in html
    assert html.index('class="error-summary"') < html.index("<h1>")
    assert 'href="#id_password2"' in html
    assert 'value="a long enough passphrase"' in html
    assert 'value="a different passphrase"' in html
    assert 'value="Red Robin"' in html
