"""The venue address and the meeting link (and a session's room and link) never reach anyone
without a place: not the event and list pages, the API, the event's iCalendar file, the
member's feed, nor any email (emails carry neither, even to those with a place: they link to
the page). A member with a place sees both, everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.events import services
from rankandfile.events.models import Event
from rankandfile.groups.services import group_join
from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import render_parts
from tests.events.helpers import LINK, VENUE, details, make_event
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db

ROOM, SESSION_LINK = "Room 3, second floor", "https://meet.example.org/session-9931"
SECRETS = (VENUE, LINK, ROOM, SESSION_LINK, "Mount Street", "secret-room")


def _secrets_in(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _world(make_member: MakeMember, make_group: MakeGroup) -> tuple[Event, dict[str, User]]:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    event = make_event(organiser=organiser, group=group, capacity=1)
    services.session_create(
        organiser=organiser,
        event=event,
        details=services.SessionDetails(
            title="Workshop",
            starts_at=event.starts_at,
            ends_at=event.starts_at + timedelta(hours=1),
            room=ROOM,
            meeting_url=SESSION_LINK,
            capacity=5,
        ),
    )
    people = {name: make_member() for name in ("placed", "waiting", "looker")}
    for member in people.values():
        group_join(group=group, member=member)
    services.rsvp_create(event=event, member=people["placed"])
    services.rsvp_create(event=event, member=people["waiting"])
    return event, people


def _client(member: User | None) -> Client:
    client = Client()
    if member is not None:
        client.force_login(member)
    return client


def _pages(client: Client, event: Event) -> str:
    answers = [
        client.get(reverse("events:detail", kwargs={"event_id": event.pk})),
        client.get(reverse("events:list")),
        client.get(reverse("events:ics", kwargs={"event_id": event.pk})),
        client.get(f"/api/v1/events/{event.pk}"),
        client.get("/api/v1/events"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.request["PATH_INFO"]
    return "\n".join(answer.content.decode() for answer in answers)


def test_pages_api_and_calendar_files_hide_them_from_everyone_without_a_place(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    event, people = _world(make_member, make_group)
    for who in (None, people["waiting"], people["looker"]):
        seen = _pages(_client(who), event)
        assert event.title in seen and "M2" in seen
        assert _secrets_in(seen) == [], who

    seen = _pages(_client(people["placed"]), event)
    assert VENUE in seen and LINK in seen and ROOM in seen and SESSION_LINK in seen


def test_the_feed_has_them_only_for_events_with_a_place(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    event, people = _world(make_member, make_group)
    for name in ("placed", "waiting"):
        token = services.calendar_feed_reset(member=people[name])
        feed = Client().get(reverse("events:feed", kwargs={"token": token})).content.decode()
        assert event.title in feed
        if name == "placed":
            assert "Mount Street" in feed and "secret-room-4417" in feed
        else:
            assert _secrets_in(feed.replace("\r\n ", "")) == []
            assert "STATUS:TENTATIVE" in feed


def test_no_email_carries_them_even_to_those_with_a_place(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    event, people = _world(make_member, make_group)
    organiser = event.created_by
    assert organiser is not None
    services.rsvp_cancel(event=event, member=people["placed"])  # "waiting" gets the place
    services.events_remind_due(now=event.starts_at - timedelta(hours=23))
    services.events_remind_due(now=event.starts_at - timedelta(minutes=50))
    services.event_update(
        organiser=organiser,
        event=event,
        details=details(
            starts_at=event.starts_at + timedelta(days=1),
            ends_at=event.ends_at + timedelta(days=1),
            capacity=1,
        ),
    )
    services.event_cancel(organiser=organiser, event=event)
    sent = Message.objects.filter(template__startswith="event_")
    assert set(sent.values_list("template", flat=True)) == {
        "event_place_given",
        "event_reminder_day",
        "event_reminder_hour",
        "event_changed",
        "event_cancelled",
    }
    for message in sent:
        assert message.recipient == people["waiting"]
        subject, text, html = render_parts(
            template=message.template, context=message.context, recipient=people["waiting"]
        )
        assert _secrets_in(f"{subject}\n{text}\n{html}\n{message.context}") == []
        assert event.get_absolute_url() in text
