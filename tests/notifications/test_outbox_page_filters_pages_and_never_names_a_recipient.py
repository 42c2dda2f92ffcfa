"""The outbox page (staff with a second factor only, as before) lists the messages, filtered by
kind and state, 50 a page in a constant number of queries, and never shows whom a message is
for: not the recipient's name or address, not an invited address, not the message's key
(which names the member)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.notifications.kinds import ADDRESSED_KINDS, KIND_LABELS, KINDS
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.services import invitation_create, message_enqueue
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

OUTBOX = "/notifications/outbox/"


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row" data-label="Message">(\d+)</th>', html)]


def _staff_client(make_member: MakeMember) -> Client:
    staff = make_member(mfa=True)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    login_with_second_factor(client, staff)
    return client


def _queue_ballot_messages(recipient: User, n: int) -> None:
    for i in range(n):
        message_enqueue(
            key=f"ballot:{i}:opened:member:{recipient.pk}",
            kind=MessageClass.SERVICE,
            recipient=recipient,
            template="ballot_opened",
            context={"ballot_title": f"Ballot {i}", "ballot_url": "http://x/"},
        )


def test_the_page_is_still_for_staff_with_a_second_factor_only(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    assert reverse("notifications:outbox_status") == OUTBOX
    assert client.get(OUTBOX).status_code == 302  # an organiser is not an operator
    assert _staff_client(make_member).get(OUTBOX).status_code == 200


def test_filters_by_kind_and_state_and_pages_by_fifty(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    recipient = make_member(display_name="Unmistakable Wren", email="wren.private@example.org")
    _queue_ballot_messages(recipient, 60)
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    invitation_create(group=group, organiser=organiser, email="invited.person@example.org")
    sent = list(Message.objects.filter(template="ballot_opened").order_by("pk")[:3])
    Message.objects.filter(pk__in=[m.pk for m in sent]).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    client = _staff_client(make_member)

    everything = client.get(OUTBOX).content.decode()
    assert len(_ids(everything)) == 50 and "61 messages, the newest first" in everything
    assert '<td id="count-queued">58</td>' in everything
    assert '<td id="count-sent">3</td>' in everything

    invitations = client.get(OUTBOX, {"kind": "group_invitation"}).content.decode()
    invitation = Message.objects.get(template="group_invitation")
    assert _ids(invitations) == [invitation.pk]

    sent_page = client.get(OUTBOX, {"status": "sent"}).content.decode()
    assert sorted(_ids(sent_page)) == sorted(m.pk for m in sent)
    none = client.get(OUTBOX, {"kind": "group_invitation", "status": "sent"})
    assert _ids(none.content.decode()) == []

    first = client.get(OUTBOX, {"kind": "ballot_opened"}).content.decode()
    next_link = re.search(r'rel="next" href="\?([^"]*)"', first)
    assert next_link is not None
    query = parse_qs(next_link.group(1).replace("&amp;", "&"))
    assert query == {"kind": ["ballot_opened"], "page": ["2"]}
    second = client.get(OUTBOX, {"kind": "ballot_opened", "page": "2"}).content.decode()
    ballot_ids = set(Message.objects.filter(template="ballot_opened").values_list("pk", flat=True))
    assert len(_ids(first)) == 50 and len(_ids(second)) == 10
    assert set(_ids(first)) | set(_ids(second)) == ballot_ids

    unknown = client.get(OUTBOX, {"kind": "no_such_kind"}).content.decode()
    assert 'class="error-summary"' in unknown and len(_ids(unknown)) == 50


def test_kinds_are_shown_by_a_plain_name_and_filtered_by_their_template_name(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    assert set(KIND_LABELS) == {*KINDS, *ADDRESSED_KINDS}  # every kind has its plain name
    _queue_ballot_messages(make_member(), 2)
    organiser = make_member(mfa=True)
    invitation_create(
        group=make_group(organiser=organiser), organiser=organiser, email="someone@example.org"
    )
    client = _staff_client(make_member)

    page = client.get(OUTBOX).content.decode()
    # The filter offers each kind by its plain name, with the template name as its value.
    assert '<option value="pledge_triggered">Pledge triggered (action pack)</option>' in page
    assert '<option value="group_invitation">Group invitation</option>' in page
    # The table names each message's kind plainly, never by its template name.
    assert '<td data-label="Kind">Ballot opened</td>' in page
    assert '<td data-label="Kind">Group invitation</td>' in page
    assert ">ballot_opened<" not in page and ">group_invitation<" not in page

    filtered = client.get(OUTBOX, {"kind": "ballot_opened"}).content.decode()
    assert len(_ids(filtered)) == 2
    assert '<option value="ballot_opened" selected>Ballot opened</option>' in filtered


def test_no_page_or_filter_ever_names_a_recipient(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    recipient = make_member(
        display_name="Unmistakable Wren",
        email="wren.private@example.org",
        consents=(ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL),
    )
    _queue_ballot_messages(recipient, 55)
    organiser = make_member(mfa=True, display_name="Organiser Osprey")
    group = make_group(organiser=organiser)
    message_enqueue(
        key=f"campaign:1:update:member:{recipient.pk}",
        kind=MessageClass.CAMPAIGN,
        recipient=recipient,
        template="campaign_update",
        context={"campaign_title": "T", "text": "Hello Unmistakable Wren", "campaign_url": "/"},
        group=group,
    )
    invitation_create(group=group, organiser=organiser, email="invited.person@example.org")
    Message.objects.filter(template="campaign_update").update(
        status=MessageStatus.DEAD, last_error="SMTPDataError 451: try again later"
    )
    client = _staff_client(make_member)

    pages = [
        client.get(OUTBOX, query).content.decode()
        for query in [
            {},
            {"page": "2"},
            {"kind": "group_invitation"},
            {"kind": "campaign_update"},
            {"status": "dead"},
            {"status": "queued", "page": "2"},
        ]
    ]
    assert all(_ids(page) for page in pages)
    for html in pages:
        for secret in (
            "wren.private@example.org",
            "Unmistakable Wren",
            "invited.person@example.org",
            "Organiser Osprey",
            group.name,
            f"member:{recipient.pk}",
        ):
            assert secret not in html
    assert "SMTPDataError 451: try again later" in pages[4]


def test_the_page_takes_as_many_queries_for_sixty_messages_as_for_two(
    make_member: MakeMember,
) -> None:
    client = _staff_client(make_member)
    recipient = make_member()
    _queue_ballot_messages(recipient, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(_ids(client.get(OUTBOX).content.decode())) == 2
    few = few.captured_queries  # now, before the next request empties the log
    _queue_ballot_messages(make_member(), 60)
    with CaptureQueriesContext(connection) as many:
        assert len(_ids(client.get(OUTBOX).content.decode())) == 50
    assert len(many.captured_queries) == len(few)
