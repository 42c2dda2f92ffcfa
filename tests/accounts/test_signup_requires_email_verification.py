from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.notifications.sending import messages_deliver_due
from tests.personas import signup_form

SIGNUP = signup_form(
    "newcomer@example.org",
    display_name="Red Robin",
    postcode_district="ls6",
    consent_introductions="on",
)


def _confirmation_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.django_db
def test_a_new_member_cannot_log_in_before_verifying_their_email(client: Client) -> None:
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    member = User.objects.get(email="newcomer@example.org")
    assert not EmailAddress.objects.get(user=member).verified
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    # One email: the refused login does not resend within the 3-minute rate limit.
    assert messages_deliver_due().sent == 1
    assert len(mail.outbox) == 1
    link = _confirmation_link(str(mail.outbox[0].body))
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=member).verified

    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.django_db
def test_sign_up_records_profile_and_each_consent_with_its_text_version(client: Client) -> None:
    client.post(reverse("account_signup"), SIGNUP)
    member = User.objects.get(email="newcomer@example.org")
    assert member.display_name == "Red Robin"
    assert member.postcode_district == "LS6"
    # Hashed with the hasher in use (Argon2 in production: tests/site/
    # test_production_hashes_passwords_with_argon2_and_tests_with_md5.py), never kept as typed.
    assert identify_hasher(member.password).algorithm == get_hasher().algorithm
    assert member.check_password(SIGNUP["password1"])
    purposes = set(Consent.objects.filter(member=member).values_list("purpose", flat=True))
    assert purposes == {ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS}
    consent = Consent.objects.get(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    assert consent.text_version == "2026-11-01"
    assert consent.given_at is not None and consent.withdrawn_at is None


@pytest.mark.django_db
def test_sign_up_without_membership_consent_is_refused_and_keeps_the_input(client: Client) -> None:
    data = {k: v for k, v in SIGNUP.items() if k != "consent_membership"}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert not User.objects.exists()
    content = response.content.decode()
    assert "You need to give this consent" in content
    assert 'value="Red Robin"' in content


@pytest.mark.django_db
def test_sign_up_page_explains_special_category_data(client: Client) -> None:
    content = client.get(reverse("account_signup")).content.decode()
    assert "special category data" in content
    assert "political opinions" in content
