"""The event list pages and the API's list answer in a number of queries that does not grow
with the number of events, sessions or RSVPs; so do the calendar page and the feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from rankandfile.events import services
from rankandfile.events.models import EventVisibility
from rankandfile.groups.services import group_join
from tests.events.helpers import make_event
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_lists_are_bounded(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    member = make_member()
    token = services.calendar_feed_reset(member=member)
    for n in range(12):
        organiser = make_member(mfa=True)
        group = make_group(organiser=organiser)
        group_join(group=group, member=member)
        event = make_event(
            organiser=organiser,
            group=group,
            title=f"Event {n}",
            capacity=2,
            visibility=EventVisibility.MEMBERS if n % 2 else EventVisibility.PUBLIC,
        )
        services.session_create(
            organiser=organiser,
            event=event,
            details=services.SessionDetails(
                title="Talk",
                starts_at=event.starts_at,
                ends_at=event.starts_at + timedelta(hours=1),
                room="",
                meeting_url="",
                capacity=3,
            ),
        )
        for attendee in (member, make_member(), make_member()):
            if attendee != member:
                group_join(group=group, member=attendee)
            services.rsvp_create(event=event, member=attendee)
        services.session_choose(session=event.sessions.get(), member=member)

    anonymous, client = Client(), Client()
    client.force_login(member)
    pages = [
        (anonymous, reverse("events:list"), 6),
        (client, reverse("events:list"), 12),
        (anonymous, "/api/v1/events", 6),
        (client, "/api/v1/events", 12),
        (client, reverse("events:calendar"), 12),
        (anonymous, reverse("events:feed", kwargs={"token": token}), 12),
    ]
    for who, url, shown in pages:
        with django_assert_max_num_queries(12):
            answer = who.get(url)
        assert answer.status_code == 200, url
        body = answer.content.decode()
        assert (
            sum(
                body.count(f"Event {n}<")
                + body.count(f'"Event {n}"')
                + body.count(f"SUMMARY:Event {n}\r")
                for n in range(12)
            )
            == shown
        ), url
