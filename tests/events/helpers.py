"""Events for the tests, made through the real services."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.events.models import Event
from rankandfile.events.services import EventDetails, event_create
from rankandfile.groups.models import Group

VENUE = "Friends Meeting House, 6 Mount Street, Manchester"
LINK = "https://meet.example.org/secret-room-4417"


def details(**changes: Any) -> EventDetails:
    starts = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    base = EventDetails(
        title="Branch meeting",
        description="We plan the **next** steps.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        in_person=True,
        district="M2",
        venue=VENUE,
        online=True,
        meeting_url=LINK,
        capacity=10,
    )
    return replace(base, **changes)


def make_event(*, organiser: User, group: Group | None, **changes: Any) -> Event:
    return event_create(organiser=organiser, group=group, details=details(**changes))


def london(year: int, month: int, day: int, hour: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
