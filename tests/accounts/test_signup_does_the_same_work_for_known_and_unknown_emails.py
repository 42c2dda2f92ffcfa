"""Sign-up takes as long for a registered email as for a new one, because it does the same
costly work: one password hash and one queued email each (timed by bench/signup_timing.py)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

from rankandfile.notifications.models import Message
from tests.personas import MakeMember, signup_form

pytestmark = pytest.mark.django_db


def _signup_work(email: str) -> tuple[int, int]:
    """Password hashes computed and outbox messages queued by one sign-up with ``email``."""
    queued_before = Message.objects.count()
    # The hasher in use (Argon2 in production, a fast one under tests: tests/conftest.py).
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
        response = Client().post(reverse("account_signup"), signup_form(email))
    assert response.status_code == 302
    return encode.call_count, Message.objects.count() - queued_before


def test_a_known_and_an_unknown_email_each_cost_one_hash_and_one_email(
    make_member: MakeMember,
) -> None:
    make_member(email="known@example.org")
    assert _signup_work("known@example.org") == (1, 1)
    assert _signup_work("unknown@example.org") == (1, 1)
