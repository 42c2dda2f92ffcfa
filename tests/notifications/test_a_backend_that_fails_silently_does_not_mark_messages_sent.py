"""A mail backend that reports sending nothing (one set to fail silently) leaves the message
to be tried again; it is not recorded as sent."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from pytest_django.fixtures import Settings

from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from tests.notifications.outbox import ballot_opened
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db


class SilentlyFailingBackend(LocmemBackend):
    """What a backend with ``fail_silently`` does when its server is down: return 0."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        return 0


def test_a_message_the_backend_did_not_send_is_retried_not_marked_sent(
    make_member: MakeMember, settings: Settings
) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{SilentlyFailingBackend.__qualname__}"}}
    member = make_member()
    ballot_opened(member, 4)

    report = messages_deliver_due()

    assert (report.sent, report.failed) == (0, 1)
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED and message.sent_at is None
    assert "did not send" in message.last_error
    assert message.context != {}, "its content is kept for the next attempt"
