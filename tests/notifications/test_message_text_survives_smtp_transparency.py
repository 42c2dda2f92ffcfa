"""What a member writes reaches the reader as written, and can never end the SMTP data early:
lines starting with "." are dot-stuffed (RFC 5321 section 4.5.2) and every line ends in CRLF."""

from __future__ import annotations

import re

import pytest
from aiosmtplib.protocol import SMTPProtocol

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import message_enqueue
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db

_BARE_CR_OR_LF = re.compile(rb"\r(?!\n)|(?<!\r)\n")


def _update(member: User, body: str) -> None:
    message = message_enqueue(
        key=f"update:1:member:{member.pk}",
        kind=MessageClass.CAMPAIGN,
        recipient=member,
        template="campaign_update",
        context={"group_name": "Leeds North", "title": "Minutes", "body": body},
    )
    assert message is not None


def _sent_data(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every message text as written to the SMTP connection after DATA."""
    sent: list[bytes] = []
    write = SMTPProtocol.write

    def recording(self: SMTPProtocol, data: bytes) -> None:
        if data.endswith(b"\r\n.\r\n"):
            sent.append(data)
        write(self, data)

    monkeypatch.setattr(SMTPProtocol, "write", recording)
    return sent


def _plain_text(sink: SmtpSink) -> str:
    (email,) = sink.messages
    part = email.get_body(("plain",))
    assert part is not None
    text: str = part.get_content()
    return text.replace("\r\n", "\n")


def test_lines_starting_with_a_dot_arrive_as_written(
    smtp_sink: SmtpSink, make_member: MakeMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    _update(member, "Agenda:\n.1 Minutes\n.\n..2 Any other business\nEnd.")
    sent = _sent_data(monkeypatch)

    assert messages_deliver_due().sent == 1

    (data,) = sent
    assert data.count(b"\r\n.\r\n") == 1, "the only lone dot is the end of the data"
    assert "Agenda:\n.1 Minutes\n.\n..2 Any other business\nEnd." in _plain_text(smtp_sink)


def test_a_bare_carriage_return_goes_over_the_wire_as_crlf(
    smtp_sink: SmtpSink, make_member: MakeMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that takes <CR>.<CR> as the end of the data must not see a second message."""
    member = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    _update(member, "First\r.\rMAIL FROM:<boss@example.org>\rSecond")
    sent = _sent_data(monkeypatch)

    assert messages_deliver_due().sent == 1

    (data,) = sent
    assert not _BARE_CR_OR_LF.search(data)
    assert b"\r\n..\r\nMAIL FROM" in data, "the dot that followed a bare CR is stuffed too"
    assert smtp_sink.total() == 1
    assert "First\n.\nMAIL FROM:<boss@example.org>\nSecond" in _plain_text(smtp_sink)
