"""Reminders a day and an hour before, sent by the clock's job exactly once per person per
reminder (run twice, nothing more), each a preference the member can turn off; a moved event
is reminded again for its new time. A change of time or place and a cancellation are told to
everyone with a place, once; nobody on the waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.events import services
from rankandfile.notifications.models import KindOptOut, Message
from tests.events.helpers import details, make_event
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _sent(template: str) -> list[int]:
    return sorted(Message.objects.filter(template=template).values_list("recipient_id", flat=True))


def test_a_day_and_an_hour_before_once_each_unless_turned_off(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=2)
    keen, quiet, waiting = make_member(), make_member(), make_member()
    for member in (keen, quiet, waiting):
        services.rsvp_create(event=event, member=member)
    # The member turns the day-before reminder off on their email choices page.
    client = Client()
    client.force_login(quiet)
    client.post(reverse("notifications:message_kinds"), {"kind": ["event_reminder_hour"]})
    off = set(KindOptOut.objects.filter(member=quiet).values_list("kind", flat=True))
    assert "event_reminder_day" in off and "event_reminder_hour" not in off

    assert services.events_remind_due(now=event.starts_at - timedelta(hours=25)) == 0
    day = event.starts_at - timedelta(hours=23)
    assert services.events_remind_due(now=day) == 1
    assert services.events_remind_due(now=day + timedelta(minutes=1)) == 0
    assert _sent("event_reminder_day") == [keen.pk]

    hour = event.starts_at - timedelta(minutes=59)
    assert services.events_remind_due(now=hour) == 2
    assert services.events_remind_due(now=hour) == 0
    assert _sent("event_reminder_hour") == sorted([keen.pk, quiet.pk])

    # Moved a week later: reminded again for the new time.
    services.event_update(
        organiser=organiser,
        event=event,
        details=details(
            starts_at=event.starts_at + timedelta(days=7),
            ends_at=event.ends_at + timedelta(days=7),
            capacity=2,
        ),
    )
    assert _sent("event_changed") == sorted([keen.pk, quiet.pk])
    event.refresh_from_db()
    services.events_remind_due(now=event.starts_at - timedelta(hours=2))
    assert _sent("event_reminder_day") == [keen.pk, keen.pk]


def test_a_change_of_place_and_a_cancellation_are_told_once_to_those_with_a_place(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=1)
    placed, waiting = make_member(), make_member()
    services.rsvp_create(event=event, member=placed)
    services.rsvp_create(event=event, member=waiting)
    kept = details(starts_at=event.starts_at, ends_at=event.ends_at, capacity=1)
    services.event_update(organiser=organiser, event=event, details=kept)
    assert _sent("event_changed") == []  # nothing about time or place changed
    services.event_update(
        organiser=organiser,
        event=event,
        details=details(
            starts_at=event.starts_at, ends_at=event.ends_at, capacity=1, venue="Elsewhere"
        ),
    )
    assert _sent("event_changed") == [placed.pk]
    services.event_cancel(organiser=organiser, event=event)
    services.event_cancel(organiser=organiser, event=event)
    assert _sent("event_cancelled") == [placed.pk]
    # A cancelled event is reminded of no more.
    assert services.events_remind_due(now=event.starts_at - timedelta(minutes=30)) == 0
