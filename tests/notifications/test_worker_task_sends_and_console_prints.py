"""The django-tasks job sends what a committed transaction queued; with no SMTP server
configured (`make run`), sent messages are printed on the console."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from pytest_django.fixtures import Settings

from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import message_enqueue
from tests.notifications.outbox import IMMEDIATE_TASKS, ballot_opened
from tests.personas import CaptureCallbacks, MakeMember

pytestmark = pytest.mark.django_db


def test_committing_queues_the_delivery_job_which_sends_the_message(
    make_member: MakeMember,
    settings: Settings,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    member = make_member(email="worker@example.org")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message_enqueue(
            key=f"ballot:9:reminder:member:{member.pk}",
            kind=MessageClass.SERVICE,
            recipient=member,
            template="ballot_reminder",
            context={"ballot_title": "Branch officers", "closes_at": "at 7pm", "ballot_url": "/b/"},
        )
        assert mail.outbox == [], "nothing is sent before the commit"
    assert [m.to for m in mail.outbox] == [["worker@example.org"]]
    assert Message.objects.get().status == MessageStatus.SENT


def test_without_smtp_the_console_shows_each_sent_message(
    make_member: MakeMember, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    member = make_member(email="console@example.org", display_name="Ada")
    ballot_opened(member, 3)
    assert messages_deliver_due().sent == 1
    printed = capsys.readouterr().out
    assert "Subject: A ballot is open on Rank and File" in printed
    assert "To: console@example.org" in printed
    assert "Hello Ada" in printed
    assert "Message-ID: <outbox-" in printed
