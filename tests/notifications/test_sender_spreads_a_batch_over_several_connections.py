"""A large batch goes over several SMTP connections at once, each message exactly once, and
never more than one message accepted by the server but not yet recorded as sent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import User
from rankandfile.notifications import sending
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.rendering import message_id_for
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import messages_fan_out
from tests.notifications.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

COUNT = 120


def _fan_out(count: int) -> list[User]:
    members = User.objects.bulk_create(
        User(email=f"lane{i}@example.org", display_name=f"Lane {i}", password="!")
        for i in range(count)
    )
    queued = messages_fan_out(
        key_prefix="ballot:5:opened",
        kind=MessageClass.SERVICE,
        template="ballot_opened",
        recipients=User.objects.filter(email__in=[m.email for m in members]),
        context={"ballot_title": "Delegates", "ballot_url": "http://127.0.0.1:8000/b/5/"},
    )
    assert queued == count
    return members


def test_a_large_batch_goes_over_several_connections_each_message_once(
    smtp_sink: SmtpSink, settings: Settings
) -> None:
    settings.NOTIFICATIONS_BATCH_SIZE = 200
    settings.NOTIFICATIONS_SENDER_CONNECTIONS = 4
    _fan_out(COUNT)
    # Read before sending: a sent ballot message's key forgets its member (and so changes).
    expected = {
        message_id_for(message_id=pk, key=key)
        for pk, key in Message.objects.values_list("pk", "key")
    }

    report = messages_deliver_due()

    assert report.sent == COUNT
    assert smtp_sink.recorder.connections == 4
    counts = smtp_sink.message_id_counts()
    assert set(counts) == expected and max(counts.values()) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    one = smtp_sink.messages[0]
    assert str(one["Subject"]) == "A ballot is open on Rank and File"
    assert one["To"].startswith("lane") and one["Date"] is not None


def test_only_one_message_at_a_time_is_accepted_and_not_yet_recorded(
    smtp_sink: SmtpSink, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What bounds a killed sender's duplicates to one: each message the server accepts is
    committed as sent before any other connection sends its message's end."""
    settings.NOTIFICATIONS_SENDER_CONNECTIONS = 4
    _fan_out(COUNT)
    record_sent = sending._record_sent
    arrived_at_each_commit = []

    def watched(**kwargs: object) -> None:
        arrived_at_each_commit.append(smtp_sink.total())
        record_sent(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sending, "_record_sent", watched)
    assert messages_deliver_due().sent == COUNT
    assert arrived_at_each_commit == list(range(1, COUNT + 1))


def test_a_refused_recipient_on_one_connection_leaves_the_others_sending(
    smtp_sink: SmtpSink, settings: Settings
) -> None:
    settings.NOTIFICATIONS_SENDER_CONNECTIONS = 4
    members = _fan_out(COUNT)
    refused = {members[7].email, members[60].email}
    smtp_sink.recorder.refuse = refused

    report = messages_deliver_due()

    assert (report.sent, report.dead) == (COUNT - 2, 2)
    assert smtp_sink.recorder.connections == 4
    dead = Message.objects.filter(status=MessageStatus.DEAD).select_related("recipient")
    assert {m.recipient.email for m in dead if m.recipient} == refused
    assert all("550" in m.last_error for m in dead)
    assert smtp_sink.total() == COUNT - 2


def test_connections_the_server_closes_fail_one_message_each_and_hand_back_the_rest(
    smtp_sink: SmtpSink, settings: Settings
) -> None:
    settings.NOTIFICATIONS_SENDER_CONNECTIONS = 4
    _fan_out(COUNT)
    smtp_sink.recorder.answer = "421 4.3.2 Shutting down"

    report = messages_deliver_due(max_batches=1)

    assert (report.sent, report.failed, report.released) == (0, 4, COUNT - 4)
    assert Message.objects.filter(status=MessageStatus.FAILED).count() == 4
    assert Message.objects.filter(status=MessageStatus.QUEUED, claimed_by="").count() == COUNT - 4

    smtp_sink.recorder.answer = None
    assert messages_deliver_due().sent == COUNT - 4
    assert max(smtp_sink.message_id_counts().values()) == 1


def test_outbox_send_uses_the_number_of_connections_it_is_given(
    smtp_sink: SmtpSink, settings: Settings
) -> None:
    """``rankandfile manage outbox_send --connections 2``, as the README shows."""
    settings.NOTIFICATIONS_SENDER_CONNECTIONS = 4
    _fan_out(COUNT)

    call_command("outbox_send", "--connections", "2")

    assert smtp_sink.recorder.connections == 2
    assert Message.objects.filter(status=MessageStatus.SENT).count() == COUNT
