"""A full event puts the next RSVP on the waiting list; a cancellation gives the freed place to
the member waiting longest, exactly once, and tells them once. On PostgreSQL, cancellations at
the same moment (of different members, and the same member twice) promote exactly as many
members as places were freed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from rankandfile.events import services
from rankandfile.events.models import Event, Rsvp, RsvpStatus
from rankandfile.events.services import EventError
from rankandfile.notifications.models import Message
from tests.events.helpers import details, make_event
from tests.personas import MakeGroup, MakeMember


def _statuses(event: Event) -> dict[int, str]:
    return dict(Rsvp.objects.filter(event=event).values_list("member_id", "status"))


@pytest.mark.django_db
def test_the_next_rsvp_waits_and_takes_the_first_freed_place_once(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=2)
    first, second, third, fourth = (make_member() for _ in range(4))
    assert services.rsvp_create(event=event, member=first).status == RsvpStatus.PLACE
    assert services.rsvp_create(event=event, member=second).status == RsvpStatus.PLACE
    assert services.rsvp_create(event=event, member=third).status == RsvpStatus.WAITING
    assert services.rsvp_create(event=event, member=fourth).status == RsvpStatus.WAITING
    with pytest.raises(EventError, match="already answered"):
        services.rsvp_create(event=event, member=third)

    promoted = services.rsvp_cancel(event=event, member=first)
    assert [r.member_id for r in promoted] == [third.pk]
    assert services.rsvp_cancel(event=event, member=first) == []  # twice: nothing more
    assert _statuses(event) == {
        second.pk: RsvpStatus.PLACE,
        third.pk: RsvpStatus.PLACE,
        fourth.pk: RsvpStatus.WAITING,
    }
    told = Message.objects.filter(template="event_place_given")
    assert list(told.values_list("recipient_id", flat=True)) == [third.pk]

    # Leaving the waiting list frees no place; a bigger capacity promotes the rest in order.
    services.rsvp_cancel(event=event, member=fourth)
    assert _statuses(event)[second.pk] == RsvpStatus.PLACE and fourth.pk not in _statuses(event)
    fifth = make_member()
    services.rsvp_create(event=event, member=fifth)
    services.event_update(organiser=organiser, event=event, details=details(capacity=5))
    assert _statuses(event)[fifth.pk] == RsvpStatus.PLACE
    assert told.count() == 2


@pytest.mark.django_db
def test_a_cancelled_or_past_event_takes_no_rsvp_and_promotes_nobody(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=1)
    placed, waiting = make_member(), make_member()
    services.rsvp_create(event=event, member=placed)
    services.rsvp_create(event=event, member=waiting)
    with pytest.raises(EventError, match="over"):
        services.rsvp_create(event=event, member=make_member(), now=event.ends_at)
    services.event_cancel(organiser=organiser, event=event)
    assert services.rsvp_cancel(event=event, member=placed) == []
    assert _statuses(event) == {waiting.pk: RsvpStatus.WAITING}
    with pytest.raises(EventError, match="cancelled"):
        services.rsvp_create(event=event, member=make_member())


def _cancel(event_id: int, member_id: int) -> list[int]:
    from rankandfile.accounts.models import User

    try:
        event = Event.objects.get(pk=event_id)
        member = User.objects.get(pk=member_id)
        return [r.member_id for r in services.rsvp_cancel(event=event, member=member)]
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("one_at_a_time")
def test_concurrent_cancellations_promote_exactly_once_on_postgresql(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=8)
    placed = [make_member() for _ in range(8)]
    waiting = [make_member() for _ in range(12)]
    for member in placed + waiting:
        services.rsvp_create(event=event, member=member)

    # Six members give up their places at once, and each of them twice over.
    leaving = [m.pk for m in placed[:6]] * 2
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda pk: _cancel(event.pk, pk), leaving))

    promoted = sorted(pk for outcome in outcomes for pk in outcome)
    assert promoted == sorted(m.pk for m in waiting[:6]), "the six waiting longest, once each"
    statuses = _statuses(event)
    assert sum(1 for s in statuses.values() if s == RsvpStatus.PLACE) == 8
    assert sorted(pk for pk, s in statuses.items() if s == RsvpStatus.WAITING) == sorted(
        m.pk for m in waiting[6:]
    )
    told = list(
        Message.objects.filter(template="event_place_given").values_list("recipient_id", flat=True)
    )
    assert sorted(told) == promoted
