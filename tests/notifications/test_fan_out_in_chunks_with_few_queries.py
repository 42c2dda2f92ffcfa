"""Fan-out queues one personalised message per recipient in chunks, with few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.accounts.services import consent_withdraw
from rankandfile.notifications.models import Frequency, Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import messages_fan_out, preference_set
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _bulk_members(n: int, *, campaign_consent: bool) -> list[int]:
    """Many members at once, in a few bulk inserts (the personas are a dozen queries each)."""
    first = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"bulk{first + i}@example.org", display_name=f"Bulk {first + i}", password="!")
        for i in range(n)
    )
    ids = (
        [u.pk for u in users]
        if users[0].pk
        else list(
            User.objects.filter(email__in=[u.email for u in users]).values_list("pk", flat=True)
        )
    )
    if campaign_consent:
        Consent.objects.bulk_create(
            Consent(
                member_id=pk,
                purpose=ConsentPurpose.CAMPAIGN_EMAIL,
                text_version="2026-11-01",
                lawful_basis="test",
                given_at=timezone.now(),
            )
            for pk in ids
        )
    return ids


def test_fan_out_to_thousands_uses_a_bounded_number_of_queries() -> None:
    ids = _bulk_members(2500, campaign_consent=False)
    recipients = User.objects.filter(pk__in=ids)

    with CaptureQueriesContext(connection) as queries:
        count = messages_fan_out(
            key_prefix="ballot:7:opened",
            kind=MessageClass.SERVICE,
            template="ballot_opened",
            recipients=recipients,
            context={"ballot_title": "Delegates", "ballot_url": "http://x/"},
            personalise=lambda member_id: {"ballot_url": f"http://x/ballot/7/{member_id}/"},
            chunk_size=1000,
        )
    assert count == 2500
    assert Message.objects.count() == 2500
    # 3 chunks: one read and one bulk insert (SQLite may split it) each, plus the last read.
    assert len(queries) <= 3 * 4 + 1 + 4, [q["sql"][:80] for q in queries.captured_queries]
    sample = Message.objects.get(recipient_id=ids[5])
    assert sample.key == f"ballot:7:opened:member:{ids[5]}"
    assert sample.context["ballot_url"] == f"http://x/ballot/7/{ids[5]}/"

    # The same event fanned out again queues nothing new.
    messages_fan_out(
        key_prefix="ballot:7:opened",
        kind=MessageClass.SERVICE,
        template="ballot_opened",
        recipients=recipients,
        context={"ballot_title": "Delegates", "ballot_url": "http://x/"},
    )
    assert Message.objects.count() == 2500


def test_campaign_fan_out_honours_consent_and_group_preferences(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    keen = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    digest = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    muted = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    withdrawn = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    never = make_member()
    preference_set(member=digest, group=group, frequency=Frequency.WEEKLY)
    preference_set(member=muted, group=group, frequency=Frequency.NONE)
    consent_withdraw(member=withdrawn, purpose=ConsentPurpose.CAMPAIGN_EMAIL)
    everyone = User.objects.filter(pk__in=[m.pk for m in (keen, digest, muted, withdrawn, never)])

    count = messages_fan_out(
        key_prefix=f"group:{group.pk}:update:1",
        kind=MessageClass.CAMPAIGN,
        template="campaign_update",
        recipients=everyone,
        context={"group_name": group.name, "title": "Rally", "body": "Saturday."},
        group=group,
    )
    assert count == 2
    assert dict(Message.objects.values_list("recipient_id", "status")) == {
        keen.pk: MessageStatus.QUEUED,
        digest.pk: MessageStatus.HELD,
    }
    messages_deliver_due()
    assert [m["To"] for m in smtp_sink.messages] == [keen.email]
