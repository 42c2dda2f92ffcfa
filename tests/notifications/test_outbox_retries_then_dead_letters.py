"""A message whose send fails is retried with back-off, then dead-lettered with the reason."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.notifications.sending import (
    messages_claim,
    messages_deliver_batch,
    messages_deliver_due,
)
from tests.notifications.outbox import ballot_opened
from tests.notifications.smtp_sink import SmtpSink, free_port
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db


def _make_due() -> None:
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_temporary_failure_backs_off_exponentially_then_dead_letters(
    smtp_sink: SmtpSink, make_member: MakeMember, settings: Settings
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    smtp_sink.recorder.answer = "451 4.3.0 Try again later"
    ballot_opened(make_member())

    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        report = messages_deliver_due()
        assert report.failed == 1 and report.sent == 0
        message = Message.objects.get()
        assert message.status == MessageStatus.FAILED
        assert message.attempts == attempt
        assert "451" in message.last_error
        delays.append(round((message.next_attempt_at - before).total_seconds() / 60))
        # Not due yet: nothing is retried before its time.
        assert messages_deliver_due().claimed == 0
        _make_due()
    assert delays == [1, 2, 4]

    assert messages_deliver_due().dead == 1
    message = Message.objects.get()
    assert message.status == MessageStatus.DEAD
    assert message.attempts == 4
    assert "SMTPDataError" in message.last_error and "451" in message.last_error
    assert smtp_sink.messages == []

    # The operator fixes the server and retries the dead letters: it arrives once.
    smtp_sink.recorder.answer = None
    output = io.StringIO()
    call_command("outbox_retry_dead", stdout=output)
    assert output.getvalue().startswith("1 dead letters queued again")
    assert Message.objects.get().status == MessageStatus.QUEUED
    assert messages_deliver_due().sent == 1
    assert len(smtp_sink.messages) == 1


def test_a_permanent_refusal_dead_letters_at_once(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    smtp_sink.recorder.answer = "550 5.1.1 No such mailbox"
    ballot_opened(make_member())
    assert messages_deliver_due().dead == 1
    message = Message.objects.get()
    assert message.status == MessageStatus.DEAD and "550" in message.last_error


def test_a_refused_recipient_dead_letters_and_the_batch_goes_on_over_the_same_connection(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    members = [make_member() for _ in range(3)]
    smtp_sink.recorder.refuse = {members[1].email}
    for member in members:
        ballot_opened(member)
    report = messages_deliver_due()
    assert (report.sent, report.dead, report.released) == (2, 1, 0)
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(
        [members[0].email, members[2].email]
    )
    assert smtp_sink.recorder.connections == 1
    dead = Message.objects.get(status=MessageStatus.DEAD)
    assert dead.recipient_id == members[1].pk and "550" in dead.last_error


def test_an_unreachable_server_fails_the_batch_and_keeps_the_reason(
    make_member: MakeMember, settings: Settings
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False, "timeout": 2},
        }
    }
    member = make_member()
    ballot_opened(member, 1)
    ballot_opened(member, 2)
    report = messages_deliver_due()
    assert report.failed == 2
    for message in Message.objects.all():
        assert message.status == MessageStatus.FAILED
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at > timezone.now()
        assert message.claimed_by == "" and message.lease_expires_at is None


def test_two_senders_never_claim_the_same_message_and_dead_senders_leases_expire(
    make_member: MakeMember,
) -> None:
    member = make_member()
    for n in range(10):
        ballot_opened(member, n)
    now = timezone.now()
    lease = timedelta(seconds=30)
    first = messages_claim(token="a" * 32, limit=6, now=now, lease=lease)
    second = messages_claim(token="b" * 32, limit=6, now=now, lease=lease)
    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
    assert messages_claim(token="c" * 32, limit=6, now=now, lease=lease) == []

    # Sender "a" died: after its lease its messages are claimed again, and only those.
    later = now + lease + timedelta(seconds=1)
    Message.objects.filter(pk__in=second).update(lease_expires_at=later + lease)
    third = messages_claim(token="c" * 32, limit=20, now=later, lease=lease)
    assert sorted(third) == sorted(first)


def test_a_batch_that_runs_out_of_lease_hands_back_the_rest(
    smtp_sink: SmtpSink, make_member: MakeMember, settings: Settings
) -> None:
    settings.NOTIFICATIONS_LEASE_SECONDS = 0  # Every message is "too late": none may be sent.
    member = make_member()
    for n in range(3):
        ballot_opened(member, n)
    report = messages_deliver_batch()
    assert report.claimed == 3 and report.released == 3 and report.sent == 0
    assert Message.objects.filter(status=MessageStatus.QUEUED, claimed_by="").count() == 3
    assert smtp_sink.messages == []


def test_a_server_that_cannot_be_reached_by_a_mailer_set_to_fail_silently_is_a_failure(
    make_member: MakeMember, settings: Settings
) -> None:
    """A mailer configured with fail_silently does not silence the sender, which opens its own
    connections from the mailer's settings: it records a failure to retry, with the reason,
    instead of stopping the worker or losing the message."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": free_port(),  # nothing listens there
                "use_tls": False,
                "timeout": 5,
                "fail_silently": True,
            },
        }
    }
    ballot_opened(make_member())
    report = messages_deliver_due()
    assert (report.sent, report.failed) == (0, 1)
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "ConnectionRefusedError" in message.last_error
