"""A major gathering: sessions, each with its own time, room or link and places; members with
a place choose sessions (a full session refuses more); a motion or a ballot of the group is
linked to a session and shown on it with a link. Giving up the event's place gives up its
sessions too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from rankandfile.events import services
from rankandfile.events.models import Event, SessionChoice
from rankandfile.events.services import EventError, SessionDetails
from rankandfile.groups.services import group_join
from rankandfile.proposals.services import proposal_draft_create, proposal_open
from tests.ballots.ballot_helpers import ballot_make
from tests.events.helpers import make_event
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def _session(event: Event, title: str, capacity: int, **links: int | None) -> SessionDetails:
    return SessionDetails(
        title=title,
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        room="Main hall",
        meeting_url="",
        capacity=capacity,
        **links,
    )


def test_members_with_a_place_choose_sessions_within_their_places(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    event = make_event(organiser=organiser, group=group, capacity=5)
    small = services.session_create(
        organiser=organiser, event=event, details=_session(event, "Small workshop", 1)
    )
    first, second, outsider = make_member(), make_member(), make_member()
    with pytest.raises(EventError, match="Take a place"):
        services.session_choose(session=small, member=outsider)
    for member in (first, second):
        services.rsvp_create(event=event, member=member)
    services.session_choose(session=small, member=first)
    with pytest.raises(EventError, match="full"):
        services.session_choose(session=small, member=second)
    with pytest.raises(EventError, match="already chosen"):
        services.session_choose(session=small, member=first)
    services.rsvp_cancel(event=event, member=first)
    assert not SessionChoice.objects.filter(member=first).exists()
    services.session_choose(session=small, member=second)

    # A session outside the event's times is refused.
    late = _session(event, "Too late", 5)
    late = SessionDetails(**{**late.__dict__, "ends_at": event.ends_at + timedelta(hours=1)})
    with pytest.raises(EventError, match="within the event"):
        services.session_create(organiser=organiser, event=event, details=late)
    with pytest.raises(EventError, match="organisers"):
        services.session_create(organiser=second, event=event, details=_session(event, "X", 1))


def test_a_linked_motion_and_ballot_are_shown_on_the_session_with_links(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(group=group, member=member)
    event = make_event(organiser=organiser, group=group)
    draft = proposal_draft_create(
        proposer=member, group=group, title="Found the network", text="We found it."
    )
    motion = proposal_open(proposal=draft, proposer=member)
    ballot = ballot_make(organiser=organiser, group=group, title="Elect the committee")
    other_group = make_group(organiser=organiser)
    foreign = ballot_make(organiser=organiser, group=other_group, title="Not ours")
    with pytest.raises(EventError, match="ballot of the event's own group"):
        services.session_create(
            organiser=organiser, event=event, details=_session(event, "X", 5, ballot_id=foreign.pk)
        )
    unopened = proposal_draft_create(proposer=member, group=group, title="Draft", text="D.")
    with pytest.raises(EventError, match="motion of the event's own group"):
        services.session_create(
            organiser=organiser,
            event=event,
            details=_session(event, "X", 5, motion_id=unopened.pk),
        )

    # Through the organiser's form, which offers the group's ballots and open motions.
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("events:session_new", kwargs={"event_id": event.pk})
    form = client.get(url).content.decode()
    assert "Found the network" in form and "Elect the committee" in form
    assert "Not ours" not in form and ">Draft<" not in form
    starts = localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M")
    ends = localtime(event.starts_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        url,
        {
            "title": "Founding motion",
            "starts_at": starts,
            "ends_at": ends,
            "room": "Main hall",
            "capacity": "100",
            "motion": str(motion.pk),
            "ballot": str(ballot.pk),
        },
    )
    assert answer.status_code == 302, answer.content.decode()

    viewer = Client()
    viewer.force_login(member)
    page = viewer.get(event.get_absolute_url()).content.decode()
    assert f'href="{motion.get_absolute_url()}">Found the network</a>' in page
    assert f'href="{ballot.get_absolute_url()}">Elect the committee</a>' in page
    assert "Main hall" not in page  # the room is for members with a place
    services.rsvp_create(event=event, member=member)
    assert "Main hall" in viewer.get(event.get_absolute_url()).content.decode()
    chosen = viewer.post(
        reverse(
            "events:session_choose",
            kwargs={"event_id": event.pk, "session_id": event.sessions.get().pk},
        )
    )
    assert chosen.status_code == 302
    assert SessionChoice.objects.filter(member=member).count() == 1


def test_a_bad_session_form_keeps_what_was_typed(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser))
    client = Client()
    login_with_second_factor(client, organiser)
    answer = client.post(
        reverse("events:session_new", kwargs={"event_id": event.pk}),
        {
            "title": "Keep this title",
            "starts_at": "2020-01-01T10:00",
            "ends_at": "2020-01-01T09:00",
            "room": "Room 9",
            "capacity": "10",
        },
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "The session must end after it starts." in page
    assert 'value="Keep this title"' in page and 'value="Room 9"' in page


def _choose(session_id: int, member_id: int) -> str:
    from django.db import connections

    from rankandfile.accounts.models import User
    from rankandfile.events.models import Session

    try:
        services.session_choose(
            session=Session.objects.get(pk=session_id), member=User.objects.get(pk=member_id)
        )
        return "chosen"
    except EventError:
        return "refused"
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("one_at_a_time")
def test_concurrent_choices_never_overfill_a_session_on_postgresql(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises every write).")
    organiser = make_member(mfa=True)
    event = make_event(organiser=organiser, group=make_group(organiser=organiser), capacity=30)
    session = services.session_create(
        organiser=organiser, event=event, details=_session(event, "Popular workshop", 5)
    )
    members = [make_member() for _ in range(20)]
    for member in members:
        services.rsvp_create(event=event, member=member)
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda m: _choose(session.pk, m.pk), members))
    assert outcomes.count("chosen") == 5 and outcomes.count("refused") == 15
    assert SessionChoice.objects.filter(session=session).count() == 5
