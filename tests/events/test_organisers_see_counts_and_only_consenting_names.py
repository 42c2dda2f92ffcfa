"""An organiser sees how many places are taken and the waiting list's length, and the names of
members with a place only where they consented to introductions: never a list of everyone.
Only the group's organisers (a network event: network coordinators) manage an event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.audit.models import AuditEntry
from rankandfile.events import services
from rankandfile.events.services import EventError
from tests.events.helpers import details, make_event
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db
INTRODUCED = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)


def test_the_manage_page_counts_and_names_only_those_who_consented(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=3)
    open_one = make_member(display_name="Open Olive", consents=INTRODUCED)
    private = [make_member(display_name=f"Private Pat {n}") for n in range(2)]
    waiting = make_member(display_name="Waiting Wren", consents=INTRODUCED)
    for member in (open_one, *private, waiting):
        services.rsvp_create(event=event, member=member)

    client = Client()
    login_with_second_factor(client, organiser)
    page = client.get(reverse("events:manage", kwargs={"event_id": event.pk})).content.decode()
    assert "<strong>3</strong> of 3 places taken; 1 on the waiting list." in page
    assert "Open Olive" in page
    assert "Private Pat" not in page and "Waiting Wren" not in page
    assert "2 others with a place did not agree to introductions" in page


def test_only_organisers_and_coordinators_make_and_manage_events(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser, member = make_member(mfa=True), make_member(mfa=True)
    group = make_group(organiser=organiser)
    with pytest.raises(EventError, match="organisers"):
        services.event_create(organiser=member, group=group, details=details())
    with pytest.raises(EventError, match="organisers"):
        services.event_create(organiser=organiser, group=None, details=details())
    coordinator = make_member(coordinator=True)
    network = services.event_create(organiser=coordinator, group=None, details=details())
    assert network.group is None
    with pytest.raises(EventError, match="organisers"):
        services.event_cancel(organiser=organiser, event=network)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["events.create"]

    client = Client()
    login_with_second_factor(client, member)
    for name in ("events:manage", "events:edit", "events:session_new"):
        assert client.get(reverse(name, kwargs={"event_id": network.pk})).status_code == 404
    assert client.get(reverse("events:network_new")).status_code == 403
    coordinating = Client()
    login_with_second_factor(coordinating, coordinator)
    assert coordinating.get(reverse("events:network_new")).status_code == 200
    manage = coordinating.get(reverse("events:manage", kwargs={"event_id": network.pk}))
    assert manage.status_code == 200


def test_a_bad_event_form_keeps_what_was_typed_and_says_what_is_wrong(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    form = {
        "title": "Picket planning",
        "description": "Bring *placards*.",
        "starts_at": "2027-05-01T18:00",
        "ends_at": "2027-05-01T20:00",
        "in_person": "on",
        "district": "not a district",
        "venue": "The Union Hall",
        "capacity": "30",
        "visibility": "public",
    }
    answer = client.post(reverse("events:new", kwargs={"group_slug": group.slug}), form)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Give the postcode district of the venue, for example M1 or LS6." in page
    assert 'value="Picket planning"' in page and "The Union Hall" in page
    assert "Bring *placards*." in page
