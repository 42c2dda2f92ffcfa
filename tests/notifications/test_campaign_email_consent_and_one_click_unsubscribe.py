"""Campaign email needs consent; the unsubscribe link and RFC 8058 one-click POST both stop it
and leave service email alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import consent_withdraw
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.rendering import unsubscribe_token
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import message_enqueue
from tests.notifications.outbox import CAMPAIGNER, ballot_opened
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db


def _campaign(member: User, n: int) -> Message | None:
    return message_enqueue(
        key=f"update:{n}:member:{member.pk}",
        kind=MessageClass.CAMPAIGN,
        recipient=member,
        template="campaign_update",
        context={"group_name": "Leeds North", "title": f"Update {n}", "body": "News."},
    )


def _subjects(sink: SmtpSink) -> list[str]:
    return sorted(str(m["Subject"]) for m in sink.messages)


def test_campaign_email_is_not_queued_without_consent_but_service_email_is(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member()  # membership consent only
    assert _campaign(member, 1) is None
    assert ballot_opened(member, 1) is not None
    messages_deliver_due()
    assert _subjects(smtp_sink) == ["A ballot is open on Rank and File"]


def test_consent_withdrawn_after_queueing_is_checked_again_at_send_time(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(consents=CAMPAIGNER)
    message = _campaign(member, 1)
    assert message is not None
    consent_withdraw(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)
    report = messages_deliver_due()
    assert report.skipped == 1 and smtp_sink.messages == []
    message.refresh_from_db()
    assert message.status == MessageStatus.SKIPPED


def test_the_unsubscribe_link_asks_first_then_stops_campaign_email_without_logging_in(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(consents=CAMPAIGNER)
    _campaign(member, 1)
    messages_deliver_due()
    (email,) = smtp_sink.messages
    text = email.get_body(("plain",))
    assert text is not None
    link = next(
        word for word in text.get_content().split() if "/notifications/unsubscribe/" in word
    )
    path = urlsplit(link).path

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    assert member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL), "GET changes nothing"

    csrf = browser.cookies["csrftoken"].value
    done = browser.post(path, {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    assert not member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL)

    _campaign(member, 2)
    ballot_opened(member, 2)
    messages_deliver_due()
    assert _subjects(smtp_sink) == ["A ballot is open on Rank and File", "Leeds North: Update 1"]


def test_one_click_list_unsubscribe_post_stops_campaign_email_and_leaves_service_email(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    member = make_member(consents=CAMPAIGNER)
    _campaign(member, 1)
    _campaign(member, 2)  # still queued when the member unsubscribes
    messages_deliver_due(max_batches=1)
    first = smtp_sink.messages[0]
    target = str(first["List-Unsubscribe"]).strip("<>")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # What a mail client does (RFC 8058): a cookieless POST with this exact body.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        urlsplit(target).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL)

    smtp_sink.recorder.received.clear()
    _campaign(member, 3)
    ballot_opened(member, 3)
    messages_deliver_due()
    assert _subjects(smtp_sink) == ["A ballot is open on Rank and File"]


def test_a_forged_or_altered_unsubscribe_token_is_refused(
    client: Client, make_member: MakeMember
) -> None:
    victim = make_member(consents=CAMPAIGNER)
    other = make_member(consents=CAMPAIGNER)
    token = unsubscribe_token(other.pk)
    forged = f"{victim.pk}:{token.split(':', 1)[1]}"
    for bad in (forged, "123", "not-a-token"):
        url = reverse("notifications:unsubscribe", kwargs={"token": bad})
        assert client.post(url).status_code == 404
    assert member_has_consent(victim, ConsentPurpose.CAMPAIGN_EMAIL)
