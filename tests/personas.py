"""Shared names for the personas that tests/conftest.py builds through the real services."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from allauth.core import context as allauth_context
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import Campaign
from rankandfile.campaigns.services import OptionInput, StageInput
from rankandfile.groups.models import Group
from rankandfile.notifications.models import Message

TEST_PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

MakeMember = Callable[..., User]
MakeGroup = Callable[..., Group]
MakeCampaign = Callable[..., Campaign]
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def signup_form(email: str, **fields: str) -> dict[str, str]:
    """What the sign-up page posts for a newcomer who gives the one consent it requires;
    ``fields`` add to it or replace its values."""
    return {
        "email": email,
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
        "display_name": "Someone",
        "consent_membership": "on",
    } | fields


def login_with_second_factor(client: Client, member: User) -> None:
    """Log the member in as if they had typed their password and then a TOTP code.

    After ``force_login``, allauth's own step that follows a checked TOTP code
    (``post_authentication``) records, in the client's session, that a second factor was used
    in this session: what organiser and admin pages ask for.
    """
    authenticator = Authenticator.objects.get(user=member, type=Authenticator.Type.TOTP)
    client.force_login(member)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    request.user = member
    with allauth_context.request_context(request):
        post_authentication(request, authenticator)
    session.save()


def reauthenticate_with_an_email_code(client: Client, member: User) -> None:
    """Confirm it is the member, as allauth asks before a sensitive change: a code sent to
    their email address (read here from the outbox), typed back."""
    client.post(reverse("account_request_reauthentication_code"), {"recipient": member.email})
    text = Message.objects.latest("pk").context["text"]
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", text, re.M)
    assert code, text
    response = client.post(
        reverse("account_confirm_reauthentication_code"), {"code": code.group(1)}
    )
    assert response.status_code == 302, response.content


def stage_inputs(*, people: int = 3, amount_pence: int | None = None) -> list[StageInput]:
    now = timezone.now()
    return [
        StageInput(
            title="Withhold our subscriptions",
            deadline=now + timedelta(days=42),
            threshold_people=people,
            threshold_amount_pence=amount_pence,
            options=[
                OptionInput(key="stop-dues", label="Cancel my direct debit"),
                OptionInput(
                    key="claim-back", label="Claim back my subscriptions", asks_amount=True
                ),
            ],
            action_instructions="Cancel your direct debit with your bank today.",
            letter_template="Dear General Secretary, I, {display_name}, claim back {amount}.",
        ),
        StageInput(
            title="Leave together",
            deadline=now + timedelta(days=84),
            threshold_people=people,
            options=[OptionInput(key="resign", label="Resign my membership")],
            action_instructions="Send your resignation letter.",
        ),
    ]
