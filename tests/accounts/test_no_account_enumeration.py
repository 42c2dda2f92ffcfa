"""Sign-up and password reset answer the same for registered and unknown email addresses."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rankandfile.notifications.sending import messages_deliver_due
from tests.personas import MakeMember, signup_form


def _signup(client: Client, email: str) -> tuple[int, str, str]:
    response = client.post(reverse("account_signup"), signup_form(email), follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else ""
    return response.status_code, final, _normalise(response.content.decode(), email)


def _reset(client: Client, email: str) -> tuple[int, str, str]:
    response = client.post(reverse("account_reset_password"), {"email": email}, follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else ""
    return response.status_code, final, _normalise(response.content.decode(), email)


def _normalise(content: str, email: str) -> str:
    """The page may echo the address the visitor typed; everything else must be the same."""
    content = content.replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)


@pytest.mark.django_db
def test_sign_up_responds_identically_for_known_and_unknown_emails(
    make_member: MakeMember,
) -> None:
    make_member(email="known@example.org")
    known = _signup(Client(), "known@example.org")
    unknown = _signup(Client(), "unknown@example.org")
    assert known == unknown
    # Both addresses get exactly one email: the owner of the known one learns of the attempt.
    messages_deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "unknown@example.org"]


@pytest.mark.django_db
def test_password_reset_responds_identically_for_known_and_unknown_emails(
    make_member: MakeMember,
) -> None:
    make_member(email="known@example.org")
    known = _reset(Client(), "known@example.org")
    unknown = _reset(Client(), "unknown@example.org")
    assert known == unknown
    assert known[1] == reverse("account_reset_password_done")
    messages_deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "unknown@example.org"]
