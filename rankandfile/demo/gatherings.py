"""The demo network's gatherings: the founding conference (a network event online and in
Manchester, with six sessions) and ten smaller events of its groups, with some places taken,
all made through the events services."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rankandfile.accounts.models import User
from rankandfile.events.models import EventVisibility, Rsvp, RsvpStatus
from rankandfile.events.services import EventDetails, SessionDetails, event_create, session_create
from rankandfile.groups.models import Group, Membership, Role

LONDON = ZoneInfo("Europe/London")
CONFERENCE_TITLE = "The founding conference"
CONFERENCE_SESSIONS = [
    # (title, start hour, hours, room, online)
    ("Opening plenary: why we organise from below", 10, 1, "Main hall", True),
    ("Workshop: building a branch that lasts", 11, 2, "Room 2", False),
    ("Workshop: pledges, ballots and trust", 11, 2, "Room 3", True),
    ("Debate: the network's constitution", 14, 1, "Main hall", True),
    ("Caucuses: liberation, young members, trade unionists", 15, 1, "Rooms 2 to 4", False),
    ("Closing plenary: our first campaign", 16, 1, "Main hall", True),
]
SMALL_EVENTS = [
    ("Monthly branch meeting", "in_person"),
    ("New members' welcome evening", "both"),
    ("Street stall and petition", "in_person"),
    ("Reading group: The Making of the English Working Class", "online"),
    ("Phone bank for the pledge campaign", "online"),
    ("Banner-making afternoon", "in_person"),
    ("Union reps' skill share", "both"),
    ("Tenants' rights surgery", "in_person"),
    ("Film night and discussion", "in_person"),
    ("Organising conversations training", "online"),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def _next_saturday(after: date) -> date:
    return after + timedelta(days=(5 - after.weekday()) % 7 or 7)


def demo_gatherings_load(
    *,
    rng: random.Random,
    coordinator: User,
    groups: list[Group],
    members: list[User],
    now: datetime,
) -> int:
    """The conference and ten events; returns how many events were made. ``coordinator``
    must be a network coordinator; each small event is made by one of its group's organisers."""
    day = _next_saturday((now + timedelta(weeks=5)).date())
    conference = event_create(
        organiser=coordinator,
        group=None,
        details=EventDetails(
            title=CONFERENCE_TITLE,
            description=(
                "The network's first conference, in Manchester and online: we launch the "
                "network and decide its direction together.\n\n"
                "Take a place, then choose your sessions. Motions and ballots decided at the "
                "conference are linked from their sessions."
            ),
            starts_at=_at(day, 10),
            ends_at=_at(day, 17),
            in_person=True,
            district="M1",
            venue="Mechanics' Institute, 103 Princess Street, Manchester",
            online=True,
            meeting_url="https://meet.demo.rankandfile.invalid/founding-conference",
            capacity=400,
            visibility=EventVisibility.PUBLIC,
        ),
    )
    for n, (title, hour, hours, room, online) in enumerate(CONFERENCE_SESSIONS, start=1):
        session_create(
            organiser=coordinator,
            event=conference,
            details=SessionDetails(
                title=title,
                starts_at=_at(day, hour),
                ends_at=_at(day, hour + hours),
                room=room,
                meeting_url=f"https://meet.demo.rankandfile.invalid/conference-{n}"
                if online
                else "",
                capacity=400 if room == "Main hall" else 60,
            ),
        )
    attendees = rng.sample(members, 120)
    Rsvp.objects.bulk_create(
        Rsvp(event=conference, member=m, status=RsvpStatus.PLACE) for m in attendees
    )

    organisers = {
        m.group_id: m.member
        for m in Membership.objects.filter(group__in=groups, role=Role.ORGANISER)
        .select_related("member")
        .order_by("group_id", "pk")
    }
    made = 1
    hosts = [g for g in groups if g.pk in organisers][: len(SMALL_EVENTS)]
    for n, (group, (title, how)) in enumerate(zip(hosts, SMALL_EVENTS, strict=False)):
        starts = _at((now + timedelta(days=4 + 3 * n)).date(), 19)
        district = group.districts.values_list("district", flat=True).first() or "M1"
        in_person, online = how in ("in_person", "both"), how in ("online", "both")
        event = event_create(
            organiser=organisers[group.pk],
            group=group,
            details=EventDetails(
                title=title,
                description=f"Open to everyone in and around {group.name}. Bring a friend.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                in_person=in_person,
                district=district,
                venue=f"Community centre, {rng.randint(1, 120)} High Street" if in_person else "",
                online=online,
                meeting_url=f"https://meet.demo.rankandfile.invalid/event-{n + 1}"
                if online
                else "",
                capacity=rng.choice([12, 20, 30, 50]),
                visibility=EventVisibility.PUBLIC if n % 3 else EventVisibility.MEMBERS,
            ),
        )
        taken = rng.sample(members, min(event.capacity, rng.randint(3, event.capacity)))
        Rsvp.objects.bulk_create(
            Rsvp(event=event, member=m, status=RsvpStatus.PLACE) for m in taken
        )
        made += 1
    return made
