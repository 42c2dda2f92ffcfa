"""Gatherings in the JSON API: upcoming events and one event, with the asker's own RSVP; take
a place and give it up. Public events can be read without a token or session; the venue and
the meeting link (and sessions' rooms and links) only by a member with a place.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.models import User
from rankandfile.events import selectors, services
from rankandfile.events.models import Event, RsvpStatus

router = Router(tags=["events"])

# Ids are positive 32-bit integers; anything else names nothing (404, never a server error).
LARGEST_ID = 2**31 - 1


def _anyone(request: HttpRequest) -> AnonymousUser | None:
    """Reading public events needs no token; a token that is sent must be good (a bad one is
    answered 401, never read as nobody)."""
    if "authorization" in {name.lower() for name in request.headers}:
        return None
    return AnonymousUser()


READ = [PersonalToken(), django_auth, _anyone]
WRITE = [PersonalToken(write=True), django_auth]


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    return request.user if isinstance(request.user, User) else AnonymousUser()


class ErrorOut(Schema):
    detail: str


class SessionOut(Schema):
    id: int
    title: str
    starts_at: str
    ends_at: str
    capacity: int
    full: bool
    room: str | None  # only with a place
    meeting_url: str | None  # only with a place
    ballot_id: int | None
    motion_id: int | None
    chosen_by_you: bool


class EventOut(Schema):
    id: int
    title: str
    group: str | None  # the group's slug; None for a network event
    starts_at: str
    ends_at: str
    in_person: bool
    district: str
    online: bool
    visibility: str
    state: str
    capacity: int
    full: bool
    your_rsvp: str | None  # "place", "waiting" or None
    url: str


class EventDetailOut(EventOut):
    description: str
    venue: str | None  # only with a place
    meeting_url: str | None  # only with a place
    waiting_position: int | None
    sessions: list[SessionOut]


def _event_out(event: Event, *, taken: int, your_rsvp: str | None) -> dict[str, object]:
    return {
        "id": event.pk,
        "title": event.title,
        "group": event.group.slug if event.group else None,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "in_person": event.in_person,
        "district": event.district,
        "online": event.online,
        "visibility": event.visibility,
        "state": event.state,
        "capacity": event.capacity,
        "full": taken >= event.capacity,
        "your_rsvp": your_rsvp,
        "url": event.get_absolute_url(),
    }


@router.get("", response=list[EventOut], auth=READ, url_name="event_list")
def event_list(request: HttpRequest) -> list[dict[str, object]]:
    """Upcoming events the asker may see (public ones only, without a token), soonest first."""
    events = selectors.events_upcoming(viewer=_viewer(request))[: selectors.EVENTS_SHOWN]
    return [
        _event_out(
            event,
            taken=event.places_taken,  # type: ignore[attr-defined]
            your_rsvp=getattr(event, "my_status", None),
        )
        for event in events
    ]


def _event(request: HttpRequest, event_id: int) -> Event:
    if not 0 < event_id <= LARGEST_ID:
        raise Http404("No such event")
    return selectors.event_get_for_viewer(event_id=event_id, viewer=_viewer(request))


def _detail(request: HttpRequest, event: Event) -> dict[str, object]:
    viewer = _viewer(request)
    rsvp = selectors.rsvp_of(event=event, member=viewer)
    with_place = rsvp is not None and rsvp.status == RsvpStatus.PLACE
    sessions = [
        {
            "id": s.pk,
            "title": s.title,
            "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(),
            "capacity": s.capacity,
            "full": s.chosen_count >= s.capacity,  # type: ignore[attr-defined]
            "room": s.room if with_place else None,
            "meeting_url": s.meeting_url if with_place else None,
            "ballot_id": s.ballot_id,
            "motion_id": s.motion_id,
            "chosen_by_you": bool(getattr(s, "chosen_by_me", False)),
        }
        for s in selectors.sessions_of(event=event, member=viewer)
    ]
    return {
        **_event_out(
            event,
            taken=selectors.places_taken(event),
            your_rsvp=rsvp.status if rsvp else None,
        ),
        "description": event.description,
        "venue": event.venue if with_place and event.in_person else None,
        "meeting_url": event.meeting_url if with_place and event.online else None,
        "waiting_position": selectors.waiting_position(rsvp)
        if rsvp is not None and rsvp.status == RsvpStatus.WAITING
        else None,
        "sessions": sessions,
    }


@router.get("/{event_id}", response=EventDetailOut, auth=READ, url_name="event_read")
def event_read(request: HttpRequest, event_id: int) -> dict[str, object]:
    """One event, with the asker's RSVP; the venue and link only for a member with a place."""
    return _detail(request, _event(request, event_id))


@router.post(
    "/{event_id}/rsvp",
    response={200: EventDetailOut, 409: ErrorOut},
    auth=WRITE,
    url_name="event_rsvp",
)
def event_rsvp(request: HttpRequest, event_id: int) -> object:
    """Take a place, or a turn on the waiting list when the event is full."""
    event = _event(request, event_id)
    try:
        services.rsvp_create(event=event, member=api_member(request))
    except services.EventError as error:
        return Status(409, ErrorOut(detail=str(error)))
    return _detail(request, event)


@router.post(
    "/{event_id}/rsvp/cancel", response=EventDetailOut, auth=WRITE, url_name="event_rsvp_cancel"
)
def event_rsvp_cancel(request: HttpRequest, event_id: int) -> dict[str, object]:
    """Give up a place (the next on the waiting list gets it) or leave the waiting list."""
    event = _event(request, event_id)
    services.rsvp_cancel(event=event, member=api_member(request))
    return _detail(request, event)
