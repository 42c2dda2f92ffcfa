"""Queued messages reach a real SMTP server exactly once, with the right headers."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.notifications.kinds import KINDS, UnknownMessageKindError
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import message_enqueue
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db

CONTEXTS = {
    "email_verification": {"verify_url": "http://127.0.0.1:8000/verify/x/"},
    "ballot_opened": {
        "ballot_title": "Branch delegates",
        "ballot_url": "http://127.0.0.1:8000/b/1/",
        "closes_at": "Friday 5pm",
    },
    "ballot_reminder": {
        "ballot_title": "Branch officers",
        "ballot_url": "http://127.0.0.1:8000/b/2/",
        "closes_at": "tomorrow at 7pm",
    },
    "pledge_triggered": {
        "campaign_title": "Rent strike",
        "action_pack_url": "http://127.0.0.1:8000/p/1/",
    },
    "campaign_update": {
        "group_name": "Leeds North",
        "title": "Leafleting on Saturday",
        "body": "Meet at the library <10am>.",
        "url": "http://127.0.0.1:8000/u/1/",
    },
    "digest": {
        "frequency": "Daily digest",
        "items": [{"group": "Leeds North", "subject": "News", "text": "Something happened."}],
    },
}


def test_every_kind_arrives_once_with_a_stable_message_id_and_the_right_headers(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(
        email="reader@example.org",
        display_name="Rosa",
        consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL],
    )
    queued = {}
    with transaction.atomic():
        for template, message_class in KINDS.items():
            message = message_enqueue(
                key=f"test:{template}:member:{member.pk}",
                kind=message_class,
                recipient=member,
                template=template,
                # Kinds added by other apps render with their variables blank.
                context=CONTEXTS.get(template, {}),
            )
            assert message is not None
            queued[template] = message

    report = messages_deliver_due()
    assert report.sent == len(KINDS)
    # A second run finds nothing to send.
    assert messages_deliver_due().sent == 0

    received = smtp_sink.messages
    assert len(received) == len(KINDS)
    assert smtp_sink.recorder.connections == 1, "one SMTP connection for the whole batch"
    by_id = {str(m["Message-ID"]): m for m in received}
    for template, message in queued.items():
        message_id = f"<outbox-{message.pk}."
        (email,) = [m for key, m in by_id.items() if key.startswith(message_id)]
        assert re.fullmatch(r"<outbox-\d+\.[0-9a-f]{16}@127\.0\.0\.1>", str(email["Message-ID"]))
        assert email["To"] == "reader@example.org"
        assert "Hello Rosa" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = email.get_body(("html",))
        assert html is not None and "Hello Rosa" in html.get_content()
        if KINDS[template] == MessageClass.CAMPAIGN:
            assert str(email["List-Unsubscribe"]).startswith(
                "<http://127.0.0.1:8000/notifications/unsubscribe/"
            )
            assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        else:
            assert email["List-Unsubscribe"] is None
            assert email["List-Unsubscribe-Post"] is None
    update = next(m for m in received if "Leafleting" in str(m["Subject"]))
    html_part = update.get_body(("html",))
    assert html_part is not None and "&lt;10am&gt;" in html_part.get_content()

    for message in Message.objects.all():
        assert message.status == MessageStatus.SENT
        assert message.sent_at is not None
        assert message.context == {}, "a sent message keeps no content"


def test_a_rolled_back_transaction_sends_nothing(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member()

    class EventFailedError(Exception):
        pass

    with pytest.raises(EventFailedError), transaction.atomic():
        message_enqueue(
            key=f"ballot:1:opened:member:{member.pk}",
            kind=MessageClass.SERVICE,
            recipient=member,
            template="ballot_opened",
            context=CONTEXTS["ballot_opened"],
        )
        raise EventFailedError

    assert not Message.objects.exists()
    assert messages_deliver_due().claimed == 0
    assert smtp_sink.messages == []


def test_the_same_event_queues_its_message_once(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member()
    key = f"campaign:42:trigger:member:{member.pk}"
    with transaction.atomic():
        first = message_enqueue(
            key=key,
            kind=MessageClass.SERVICE,
            recipient=member,
            template="pledge_triggered",
            context=CONTEXTS["pledge_triggered"],
        )
        second = message_enqueue(
            key=key,
            kind=MessageClass.SERVICE,
            recipient=member,
            template="pledge_triggered",
            context=CONTEXTS["pledge_triggered"],
        )
    assert first is not None and second is not None and first.pk == second.pk
    messages_deliver_due()
    assert len(smtp_sink.messages) == 1


def test_the_address_is_read_at_send_time_and_closed_accounts_get_nothing(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    mover, leaver, eraser = make_member(), make_member(), make_member()
    for member in (mover, leaver, eraser):
        message_enqueue(
            key=f"ballot:1:reminder:member:{member.pk}",
            kind=MessageClass.SERVICE,
            recipient=member,
            template="ballot_reminder",
            context=CONTEXTS["ballot_reminder"],
        )
    mover.email = "moved@example.org"
    mover.save(update_fields=["email"])
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    eraser_id = eraser.pk
    eraser.delete()

    report = messages_deliver_due()

    assert [m["To"] for m in smtp_sink.messages] == ["moved@example.org"]
    assert report.sent == 1 and report.skipped == 1
    assert not Message.objects.filter(recipient_id=eraser_id).exists()


def test_a_template_cannot_be_queued_under_the_wrong_class(make_member: MakeMember) -> None:
    member = make_member()
    with pytest.raises(UnknownMessageKindError):
        message_enqueue(
            key="x",
            kind=MessageClass.SERVICE,
            recipient=member,
            template="campaign_update",
            context={},
        )
    with pytest.raises(UnknownMessageKindError):
        message_enqueue(
            key="y", kind=MessageClass.SERVICE, recipient=member, template="nope", context={}
        )
