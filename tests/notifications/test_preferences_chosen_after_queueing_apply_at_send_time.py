"""A member's choice for a group made after a campaign message was queued applies when it is
sent: "none" stops it, a digest holds it for the digest; service messages go whatever."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group
from rankandfile.notifications.models import Frequency, Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import (
    digests_send,
    message_enqueue,
    preference_set,
)
from tests.notifications.outbox import CAMPAIGNER, campaign_update
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _update(member: User, group: Group, n: int = 1) -> Message:
    message = campaign_update(member, group, n)
    assert message is not None and message.status == MessageStatus.QUEUED
    return message


def test_none_chosen_after_queueing_stops_the_campaign_message_but_not_service_email(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(email="quiet@example.org", consents=CAMPAIGNER)
    leeds, york = make_group(name="Leeds"), make_group(name="York")
    from_leeds, from_york = _update(member, leeds), _update(member, york)
    service = message_enqueue(
        key=f"ballot:1:reminder:member:{member.pk}",
        kind=MessageClass.SERVICE,
        recipient=member,
        template="ballot_reminder",
        context={"ballot_title": "Branch officers", "closes_at": "at 7pm", "ballot_url": "/b/"},
        group=leeds,
    )
    assert service is not None

    preference_set(member=member, group=leeds, frequency=Frequency.NONE)
    report = messages_deliver_due()

    assert (report.sent, report.skipped) == (2, 1)
    subjects = sorted(str(m["Subject"]) for m in smtp_sink.messages)
    assert len(subjects) == 2 and not any("Leeds" in s for s in subjects), subjects
    from_leeds.refresh_from_db()
    assert from_leeds.status == MessageStatus.SKIPPED
    assert "no campaign email from this group" in from_leeds.last_error
    assert from_leeds.context == {}, "nothing of an unsent message is kept"
    assert Message.objects.get(pk=from_york.pk).status == MessageStatus.SENT
    assert Message.objects.get(pk=service.pk).status == MessageStatus.SENT


def test_a_digest_chosen_after_queueing_holds_the_message_for_that_digest(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(consents=CAMPAIGNER)
    leeds = make_group(name="Leeds")
    queued = _update(member, leeds)

    preference_set(member=member, group=leeds, frequency=Frequency.WEEKLY)
    report = messages_deliver_due()

    assert (report.sent, report.held) == (0, 1)
    assert smtp_sink.messages == []
    queued.refresh_from_db()
    assert queued.status == MessageStatus.HELD
    assert queued.digest_frequency == Frequency.WEEKLY
    assert queued.claimed_by == "" and queued.lease_expires_at is None

    assert digests_send(frequency=Frequency.WEEKLY, now=timezone.now()) == 1
    messages_deliver_due()
    (digest,) = smtp_sink.messages
    text = digest.get_body(("plain",))
    assert text is not None and "Leeds: Update 1" in text.get_content()
    queued.refresh_from_db()
    assert queued.status == MessageStatus.DIGESTED


def test_every_message_chosen_again_after_none_lets_the_next_message_through(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(consents=CAMPAIGNER)
    leeds = make_group(name="Leeds")
    preference_set(member=member, group=leeds, frequency=Frequency.NONE)
    assert campaign_update(member, leeds, 1) is None
    preference_set(member=member, group=leeds, frequency=Frequency.IMMEDIATE)
    _update(member, leeds, 2)
    assert messages_deliver_due().sent == 1
    assert len(smtp_sink.messages) == 1
