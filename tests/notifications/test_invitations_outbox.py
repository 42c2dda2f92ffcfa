"""A group invitation goes through the outbox to the invited address, which the outbox forgets
(with the link) once the email is sent, as the invitation itself keeps only digests."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings

from rankandfile.groups.models import Membership
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import invitation_create
from tests.notifications.outbox import IMMEDIATE_TASKS
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import CaptureCallbacks, MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_an_invitation_arrives_at_the_invited_address_at_commit_and_its_link_works(
    smtp_sink: SmtpSink,
    settings: Settings,
    make_member: MakeMember,
    make_group: MakeGroup,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser, name="Tenants & Friends")
    invitee = make_member(email="invitee@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        token = invitation_create(group=group, organiser=organiser, email=" Invitee@example.org ")

    (message,) = Message.objects.all()
    assert message.template == "group_invitation"
    assert message.message_class == MessageClass.SERVICE
    assert message.recipient is None
    (received,) = smtp_sink.messages
    assert received["To"] == "Invitee@example.org"
    assert received["Subject"] == "Invitation to join Tenants & Friends"
    assert str(received["Message-ID"]).startswith(f"<outbox-{message.pk}.")
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None and html is not None
    assert "Tenants &amp; Friends" in html.get_content()
    match = re.search(r"https?://[^/\s]+(/groups/invitations/[^/\s]+/)", text.get_content())
    assert match and token in match.group(1)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.context == {}
    stored = repr(list(Message.objects.filter(pk=message.pk).values()))
    assert token not in stored and "nvitee@example.org" not in stored

    invitee_client = Client()
    invitee_client.force_login(invitee)
    invitee_client.post(match.group(1))
    assert Membership.objects.filter(group=group, member=invitee).exists()


def test_an_invitation_rolled_back_sends_nothing(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser)

    class LaterStepFailedError(Exception):
        pass

    with pytest.raises(LaterStepFailedError), transaction.atomic():
        invitation_create(group=group, organiser=organiser, email="invitee@example.org")
        raise LaterStepFailedError

    assert not Message.objects.exists()
    assert messages_deliver_due().claimed == 0
    assert smtp_sink.messages == []


def test_inviting_the_same_address_twice_sends_two_invitations(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    """Each invitation is its own event with its own link (the first may have been lost)."""
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser)
    first = invitation_create(group=group, organiser=organiser, email="invitee@example.org")
    second = invitation_create(group=group, organiser=organiser, email="invitee@example.org")

    assert messages_deliver_due().sent == 2
    bodies = [str(m.get_body(("plain",)).get_content()) for m in smtp_sink.messages]  # type: ignore[union-attr]
    assert sum(first in body for body in bodies) == 1
    assert sum(second in body for body in bodies) == 1


def test_an_invitation_undelivered_while_its_link_works_is_cleared(
    make_member: MakeMember, make_group: MakeGroup, smtp_sink: SmtpSink, settings: Settings
) -> None:
    """A dead or still-failing invitation keeps its link only as long as the link could work;
    then the hourly job empties it, and a fresh or delivered one is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from rankandfile.notifications.sending import messages_addressed_expire

    organiser = make_member()
    group = make_group(organiser=organiser)
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    smtp_sink.recorder.answer = "451 4.3.0 Try again later"
    invitation_create(group=group, organiser=organiser, email="old@example.org")
    invitation_create(group=group, organiser=organiser, email="new@example.org")
    messages_deliver_due()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.DEAD}
    by_address = {m.context["to"]: m for m in Message.objects.all()}  # encrypted: in Python
    old = by_address["old@example.org"]
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=15))

    assert messages_addressed_expire() == 1
    old.refresh_from_db()
    assert old.status == MessageStatus.SKIPPED and old.context == {}
    assert "Expired" in old.last_error
    fresh = Message.objects.get(pk=by_address["new@example.org"].pk)
    assert fresh.status == MessageStatus.DEAD and "link" in fresh.context
    assert messages_addressed_expire() == 0  # nothing more to clear
