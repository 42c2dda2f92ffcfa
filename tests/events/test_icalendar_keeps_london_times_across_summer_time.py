"""The iCalendar files parse with the ``icalendar`` library and keep the London time: an event
at 18:00 London time in March before and after the clocks go forward (29 March 2026), and in
October after they go back (25 October 2026), is at 18:00 in Europe/London in the file, and at
the right instant. Entered on the form, shown on the page, stored in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.events import services
from rankandfile.events.models import Event
from rankandfile.groups.services import group_join
from tests.events.helpers import london, make_event
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

# (London date at 18:00, the UTC instant)
EVENINGS = [
    ((2026, 3, 26), datetime(2026, 3, 26, 18, 0, tzinfo=UTC)),  # GMT, before the change
    ((2026, 3, 31), datetime(2026, 3, 31, 17, 0, tzinfo=UTC)),  # BST, after it
    ((2026, 10, 20), datetime(2026, 10, 20, 17, 0, tzinfo=UTC)),  # BST, before the change back
    ((2026, 10, 29), datetime(2026, 10, 29, 18, 0, tzinfo=UTC)),  # GMT, after it
]


def _vevents(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    assert isinstance(calendar, icalendar.Calendar)
    assert any(tz["TZID"] == "Europe/London" for tz in calendar.walk("VTIMEZONE"))
    return list(calendar.walk("VEVENT"))


def test_evenings_either_side_of_the_clock_changes_stay_at_six(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(group=group, member=member)
    events: list[Event] = []
    for (y, m, d), instant in EVENINGS:
        starts = london(y, m, d, 18)
        assert starts == instant
        event = Event.objects.create(  # in the past for today's clock: made directly
            group=group,
            title=f"Evening of {y}-{m}-{d}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            online=True,
            meeting_url="https://meet.example.org/x",
            capacity=5,
        )
        events.append(event)
        client = Client()
        client.force_login(member)
        answer = client.get(reverse("events:ics", kwargs={"event_id": event.pk}))
        assert answer["Content-Type"].startswith("text/calendar")
        (vevent,) = _vevents(answer.content)
        start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        assert str(start.tzinfo) == "Europe/London"
        assert (start.hour, start.minute, end.hour) == (18, 0, 20)
        assert start == instant
        page = re.sub(r"<[^>]+>", "", client.get(event.get_absolute_url()).content.decode())
        assert "18:00 to 20:00 (London time)" in page


def test_the_feed_parses_and_keeps_each_events_london_time(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(group=group, member=member)
    starts = london(2027, 3, 30, 18)  # a Tuesday after the clocks go forward
    event = make_event(
        organiser=organiser, group=group, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    services.rsvp_create(event=event, member=member)
    token = services.calendar_feed_reset(member=member)
    (vevent,) = _vevents(Client().get(reverse("events:feed", kwargs={"token": token})).content)
    start = vevent.decoded("DTSTART")
    assert (start.hour, start.utcoffset()) == (18, timedelta(hours=1))
    assert str(vevent["UID"]).startswith(f"event-{event.pk}@")


def test_a_time_typed_on_the_form_is_london_time_stored_in_utc(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    form = {
        "title": "Spring rally",
        "description": "",
        "starts_at": "2027-04-01T18:00",
        "ends_at": "2027-04-01T20:00",
        "online": "on",
        "meeting_url": "https://meet.example.org/rally",
        "capacity": "50",
        "visibility": "public",
    }
    answer = client.post(reverse("events:new", kwargs={"group_slug": group.slug}), form)
    assert answer.status_code == 302, answer.content.decode()
    event = Event.objects.get(title="Spring rally")
    assert event.starts_at == datetime(2027, 4, 1, 17, 0, tzinfo=UTC)
    assert event.starts_at.astimezone(LONDON).hour == 18
