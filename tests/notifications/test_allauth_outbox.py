"""django-allauth's account email goes through the outbox: queued in the request's transaction,
delivered over SMTP as soon as it commits, and forgotten (link and address) once sent."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import User
from rankandfile.notifications.kinds import UnknownMessageKindError
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import message_enqueue_to_address
from tests.notifications.outbox import IMMEDIATE_TASKS
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import CaptureCallbacks, MakeMember, signup_form

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long enough passphrase"
SIGNUP = signup_form("newcomer@example.org", display_name="Red Robin", postcode_district="LS6")


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _link(message: EmailMessage, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", _text(message))
    assert match, _text(message)
    return match.group(1)


def _assert_forgotten(message: Message, *secrets: str) -> None:
    """A sent message keeps neither its content nor its address."""
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.context == {}
    stored = repr(list(Message.objects.filter(pk=message.pk).values()))
    for secret in secrets:
        assert secret not in stored


def test_sign_up_queues_one_verification_email_sent_at_commit_whose_link_verifies(
    client: Client,
    smtp_sink: SmtpSink,
    settings: Settings,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS  # the worker's job runs as soon as it is queued
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302

    member = User.objects.get(email="newcomer@example.org")
    (message,) = Message.objects.all()
    assert message.template == "account_email"
    assert message.message_class == MessageClass.SERVICE
    assert message.recipient_id == member.pk
    # Delivered at commit, without anyone running the sender.
    (received,) = smtp_sink.messages
    assert received["To"] == "newcomer@example.org"
    assert str(received["Subject"]).startswith("[Rank and File] ")
    assert str(received["Message-ID"]).startswith(f"<outbox-{message.pk}.")
    assert received["List-Unsubscribe"] is None
    html = received.get_body(("html",))
    assert html is not None and "/accounts/confirm-email/" in html.get_content()
    link = _link(received, "/accounts/confirm-email/")
    _assert_forgotten(message, link.rstrip("/").rsplit("/", 1)[-1], "newcomer@example.org")

    assert not EmailAddress.objects.get(user=member).verified
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=member).verified


def test_password_reset_link_arrives_by_smtp_and_sets_a_new_password(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(email="known@example.org")
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    assert response.status_code == 302
    (message,) = Message.objects.all()
    assert message.recipient_id == member.pk

    assert messages_deliver_due().sent == 1
    (received,) = smtp_sink.messages
    assert received["To"] == "known@example.org"
    link = _link(received, "/accounts/password/reset/key/")
    _assert_forgotten(message, link.rstrip("/").rsplit("/", 1)[-1])

    response = client.get(link)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_only_an_unknown_account_notice(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    make_member(email="known@example.org")
    Client().post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    (message,) = Message.objects.all()
    assert message.recipient is None
    assert message.message_class == MessageClass.SERVICE

    assert messages_deliver_due().sent == 1
    (received,) = smtp_sink.messages
    assert received["To"] == "stranger@example.org"
    text = _text(received)
    assert "/accounts/password/reset/key/" not in text
    assert "/accounts/signup/" in text
    _assert_forgotten(message, "stranger@example.org")


def test_signing_up_with_a_registered_address_tells_its_owner_and_nobody_else(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    make_member(email="known@example.org")
    Client().post(reverse("account_signup"), {**SIGNUP, "email": "known@example.org"})
    assert Message.objects.count() == 1
    assert messages_deliver_due().sent == 1
    (received,) = smtp_sink.messages
    assert received["To"] == "known@example.org"
    assert "/accounts/confirm-email/" not in _text(received)


def test_a_reset_link_is_not_sent_to_an_account_closed_before_the_sender_ran(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(email="leaving@example.org")
    Client().post(reverse("account_reset_password"), {"email": "leaving@example.org"})
    member.is_active = False
    member.save(update_fields=["is_active"])

    report = messages_deliver_due()

    assert report.sent == 0 and report.skipped == 1
    assert smtp_sink.messages == []
    assert Message.objects.get().context == {}


def test_only_addressed_kinds_go_to_an_address_and_the_address_must_be_one() -> None:
    with pytest.raises(UnknownMessageKindError):
        message_enqueue_to_address(
            key="x", template="campaign_update", address="a@example.org", context={}
        )
    with pytest.raises(ValidationError):
        message_enqueue_to_address(
            key="y",
            template="account_email",
            address="a@example.org\nBcc: b@example.org",
            context={},
        )
    assert not Message.objects.exists()
