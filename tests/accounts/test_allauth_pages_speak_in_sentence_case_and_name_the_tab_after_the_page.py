"""allauth's own pages (email, password, two-factor, recovery codes, security keys, sessions,
re-authentication) speak in our sentence case ("Email addresses", "Change password"), never
allauth's Title Case; and the code pages name the browser tab after the page, with the heading
said once on the page."""

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

# Headings, tab names and buttons: the text of <title>, <h1>, <h2>, <button> and <summary>.
VISIBLE_NAMES = re.compile(r"<(title|h1|h2|button|summary)\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
# Two capitalised words in a row ("Email Addresses", "Two-Factor Authentication").
TITLE_CASE = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z]?[a-z]+)? [A-Z][a-z]+")


def _names(html: str) -> list[str]:
    return [" ".join(TAG.sub(" ", inner).split()) for _, inner in VISIBLE_NAMES.findall(html)]


def _assert_sentence_case(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    names = _names(response.content.decode())
    site_name = str(response.context["site_name"])
    title_case = [n for n in names if TITLE_CASE.search(n.replace(site_name, ""))]
    assert title_case == [], (url, title_case)
    return names


def _log_in(client: Client, member: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_account_settings_pages_use_sentence_case(make_member: MakeMember) -> None:
    member = make_member()
    client = Client()
    _log_in(client, member)
    email = _assert_sentence_case(client, reverse("account_email"))
    assert "Email addresses" in email and "Add email address" in email
    password = _assert_sentence_case(client, reverse("account_change_password"))
    assert "Change password" in password
    assert "Two-factor authentication" in _assert_sentence_case(client, reverse("mfa_index"))
    _assert_sentence_case(client, reverse("usersessions_list"))

    reauthenticate_with_an_email_code(client, member)
    activate = _assert_sentence_case(client, reverse("mfa_activate_totp"))
    assert "Activate authenticator app" in activate


@pytest.mark.django_db
def test_the_second_factor_pages_use_sentence_case(make_member: MakeMember) -> None:
    member: User = make_member(mfa=True)
    client = Client()
    _log_in(client, member)
    _assert_sentence_case(client, reverse("mfa_authenticate"))
    login_with_second_factor(client, member)
    reauthenticate_with_an_email_code(client, member)
    for name in (
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
    ):
        _assert_sentence_case(client, reverse(name))
    assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    _assert_sentence_case(client, reverse("mfa_view_recovery_codes"))
    assert "Recovery codes" in " ".join(_names(client.get(reverse("mfa_index")).content.decode()))


@pytest.mark.django_db
def test_the_entrance_pages_use_sentence_case() -> None:
    client = Client()
    for name in (
        "account_login",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ):
        _assert_sentence_case(client, reverse(name))


@pytest.mark.django_db
def test_the_code_page_names_the_tab_once_and_says_its_heading_once(
    make_member: MakeMember,
) -> None:
    member = make_member()
    client = Client()
    _log_in(client, member)
    client.post(reverse("account_request_reauthentication_code"), {"recipient": member.email})
    response = client.get(reverse("account_confirm_reauthentication_code"))
    assert response.status_code == 200
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert " ".join(title.group(1).split()).startswith("Confirm access · ")
    assert re.findall(r"<h1>\s*(.*?)\s*</h1>", html, re.S) == ["Enter the code we emailed you"]
    assert html.count("Enter the code we emailed you") == 1
