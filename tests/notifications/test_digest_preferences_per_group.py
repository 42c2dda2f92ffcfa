"""Each member chooses per group: every message, a daily or weekly digest, or none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.groups.services import group_join
from rankandfile.notifications.models import (
    Frequency,
    Message,
    MessageStatus,
    Preference,
)
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import (
    digests_send,
    preference_set,
)
from tests.notifications.outbox import CAMPAIGNER, ballot_opened, campaign_update
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_daily_digest_gathers_held_updates_into_one_email_once_per_day(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(consents=CAMPAIGNER)
    leeds, york = make_group(name="Leeds"), make_group(name="York")
    preference_set(member=member, group=leeds, frequency=Frequency.DAILY)
    preference_set(member=member, group=york, frequency=Frequency.DAILY)
    campaign_update(member, leeds, 1)
    campaign_update(member, york, 2)
    assert Message.objects.filter(status=MessageStatus.HELD).count() == 2
    assert messages_deliver_due().sent == 0, "held messages are not sent on their own"

    now = timezone.now()
    assert digests_send(frequency=Frequency.DAILY, now=now) == 1
    campaign_update(member, leeds, 3)
    # Running the job again the same day queues no second digest; the new item waits.
    assert digests_send(frequency=Frequency.DAILY, now=now) == 0
    messages_deliver_due()

    (digest,) = smtp_sink.messages
    assert "2 updates" in str(digest["Subject"])
    text = digest.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "Leeds: Leeds: Update 1" in body and "York: York: Update 2" in body
    assert body.count("Unsubscribe from all campaign email") == 1
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Message.objects.filter(status=MessageStatus.DIGESTED).count() == 2
    assert Message.objects.filter(status=MessageStatus.HELD).count() == 1

    assert digests_send(frequency=Frequency.DAILY, now=now + timedelta(days=1)) == 1
    messages_deliver_due()
    assert len(smtp_sink.messages) == 2


def test_weekly_none_and_every_message_and_service_mail_ignores_preferences(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(consents=CAMPAIGNER)
    weekly, silent, loud = make_group(), make_group(), make_group()
    preference_set(member=member, group=weekly, frequency=Frequency.WEEKLY)
    preference_set(member=member, group=silent, frequency=Frequency.NONE)
    assert campaign_update(member, silent, 1) is None
    held = campaign_update(member, weekly, 2)
    assert held is not None and held.status == MessageStatus.HELD
    campaign_update(member, loud, 3)
    ballot_opened(member, 1, group=silent)
    messages_deliver_due()
    assert sorted(str(m["Subject"]) for m in smtp_sink.messages) == [
        "A ballot is open on Rank and File",
        f"{loud.name}: Update 3",
    ]
    assert digests_send(frequency=Frequency.DAILY) == 0
    assert digests_send(frequency=Frequency.WEEKLY) == 1


def test_a_digest_is_not_sent_to_a_member_who_withdrew_consent(
    smtp_sink: SmtpSink, make_member: MakeMember, make_group: MakeGroup
) -> None:
    from rankandfile.accounts.services import consent_withdraw

    member = make_member(consents=CAMPAIGNER)
    group = make_group()
    preference_set(member=member, group=group, frequency=Frequency.DAILY)
    campaign_update(member, group, 1)
    consent_withdraw(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)
    assert digests_send(frequency=Frequency.DAILY) == 0
    assert Message.objects.get().status == MessageStatus.SKIPPED
    messages_deliver_due()
    assert smtp_sink.messages == []


def test_members_set_preferences_only_for_their_own_groups(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(consents=CAMPAIGNER)
    mine, theirs = make_group(name="Mine"), make_group(name="Theirs")
    group_join(group=mine, member=member)
    client.force_login(member)
    url = reverse("notifications:preferences")

    page = client.get(url)
    assert page.status_code == 200
    assert b"Mine" in page.content and b"Theirs" not in page.content

    client.post(url, {"group": mine.pk, "frequency": "weekly"})
    client.post(url, {"group": theirs.pk, "frequency": "none"})
    assert dict(
        Preference.objects.filter(member=member).values_list("group__name", "frequency")
    ) == {"Mine": "weekly"}
    client.logout()
    assert client.get(url).status_code == 302
