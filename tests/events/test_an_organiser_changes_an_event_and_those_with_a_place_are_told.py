"""An organiser changes an event on its form, which shows its times in London time; those with
a place are told by email; the change is audited without free text. The description is Markdown
with anything typed as HTML shown as text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.audit.models import AuditEntry
from rankandfile.events import services
from rankandfile.notifications.models import Message
from tests.events.helpers import london, make_event
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_edit_form_shows_london_times_and_a_move_is_told(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    starts = london(2027, 7, 1, 18)
    event = make_event(
        organiser=organiser,
        group=make_group(organiser=organiser),
        starts_at=starts,
        ends_at=london(2027, 7, 1, 20),
        description="**Bring** <script>alert(1)</script> banners",
    )
    placed = make_member()
    services.rsvp_create(event=event, member=placed)
    page = Client().get(event.get_absolute_url()).content.decode()
    assert "<strong>Bring</strong>" in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("events:edit", kwargs={"event_id": event.pk})
    form = client.get(url).content.decode()
    assert 'value="2027-07-01T18:00"' in form and 'value="2027-07-01T20:00"' in form
    answer = client.post(
        url,
        {
            "title": event.title,
            "description": event.description,
            "starts_at": "2027-07-02T18:30",
            "ends_at": "2027-07-02T20:30",
            "in_person": "on",
            "district": "M2",
            "venue": event.venue,
            "online": "on",
            "meeting_url": event.meeting_url,
            "capacity": "10",
            "visibility": "public",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    event.refresh_from_db()
    assert event.starts_at == london(2027, 7, 2, 18).replace(minute=30)
    told = Message.objects.get(template="event_changed")
    assert told.recipient == placed and "Friday 2 July 2027, 18:30" in told.context["starts"]
    entry = AuditEntry.objects.get(action="events.update")
    assert entry.details == {"moved": True, "capacity": 10}
