"""iCalendar files (RFC 5545, made with the ``icalendar`` library): one event's, and a member's
private feed of their events.

Times are written in Europe/London with its VTIMEZONE, so a calendar shows 18:00 for an event
at 18:00 London time on either side of the change to and from British Summer Time. The venue,
the meeting link and sessions' rooms and links are written only for a member with a place;
anyone else gets the postcode district and "online".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.events import selectors
from rankandfile.events.models import Event, RsvpStatus, Session
from rankandfile.lib.urls import absolute_url

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Rank and File//Gatherings//EN"
# The feed keeps events that ended this long ago, then lets them go.
FEED_PAST = timedelta(days=90)


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _uid(kind: str, pk: int) -> str:
    host = settings.SITE_ROOT.split("://", 1)[-1].split("/", 1)[0] or "rankandfile"
    return f"{kind}-{pk}@{host}"


def _vevent(
    *,
    uid: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    url: str,
    location: str,
    description: str,
    stamp: datetime,
    cancelled: bool = False,
    tentative: bool = False,
) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", title)
    vevent.add("dtstart", starts_at.astimezone(LONDON))
    vevent.add("dtend", ends_at.astimezone(LONDON))
    vevent.add("url", url)
    if location:
        vevent.add("location", location)
    vevent.add("description", description)
    status = "CANCELLED" if cancelled else "TENTATIVE" if tentative else "CONFIRMED"
    vevent.add("status", status)
    return vevent


def _event_where(event: Event, *, with_place: bool) -> tuple[str, str]:
    """(location, description) of an event for someone with or without a place."""
    page = absolute_url(event.get_absolute_url())
    if not with_place:
        note = "The address and the link are on the event page for members with a place."
        return event.where_public, f"{event.where_public}. {note}\n{page}"
    location = ", ".join(
        part
        for part in (
            event.venue.replace("\n", ", ") if event.in_person else "",
            event.meeting_url if event.online else "",
        )
        if part
    )
    lines = [event.where_public + "."]
    if event.in_person:
        lines.append(f"Venue: {event.venue}")
    if event.online:
        lines.append(f"Meeting link: {event.meeting_url}")
    lines.append(page)
    return location, "\n".join(lines)


def _event_component(
    event: Event, *, with_place: bool, stamp: datetime, tentative: bool = False
) -> icalendar.Event:
    location, description = _event_where(event, with_place=with_place)
    vevent = _vevent(
        uid=_uid("event", event.pk),
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        url=absolute_url(event.get_absolute_url()),
        location=location,
        description=description,
        stamp=stamp,
        cancelled=event.is_cancelled,
        tentative=tentative,
    )
    vevent.add("sequence", event.revision)
    return vevent


def _session_component(session: Session, *, stamp: datetime) -> icalendar.Event:
    """A session the member chose (they have a place, so its room and link are theirs)."""
    where = ", ".join(part for part in (session.room, session.meeting_url) if part)
    return _vevent(
        uid=_uid("session", session.pk),
        title=f"{session.title} ({session.event.title})",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        url=absolute_url(session.event.get_absolute_url()),
        location=where,
        description=where,
        stamp=stamp,
        cancelled=session.event.is_cancelled,
    )


def _finished(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def event_ics(*, event: Event, viewer: User | None) -> bytes:
    """One event's iCalendar file, as the viewer may see it."""
    with_place = viewer is not None and selectors.has_place(event=event, member=viewer)
    calendar = _calendar(event.title)
    calendar.add_component(_event_component(event, with_place=with_place, stamp=timezone.now()))
    return _finished(calendar)


def feed_ics(*, member: User) -> bytes:
    """The member's feed: events they have a place at (with the venue and link), events they
    are waiting for (tentative, without them), and the sessions they chose."""
    stamp = timezone.now()
    calendar = _calendar(f"{settings.SITE_NAME}: my events")
    components: Iterable[icalendar.Event] = [
        _event_component(
            rsvp.event,
            with_place=rsvp.status == RsvpStatus.PLACE,
            stamp=stamp,
            tentative=rsvp.status == RsvpStatus.WAITING,
        )
        for rsvp in selectors.events_of_member(member, since=stamp - FEED_PAST)
    ]
    for component in components:
        calendar.add_component(component)
    for choice in selectors.sessions_chosen_by(member):
        calendar.add_component(_session_component(choice.session, stamp=stamp))
    return _finished(calendar)
