"""Every write about gatherings: make, change and cancel an event; take a place or join the
waiting list; cancel and pass the place on; sessions and their choices; the calendar feed's
secret; reminders.

Places are given under a lock on the event row (:func:`event_locked`): taking a place,
cancelling one and changing the capacity all take it first, so the places counted are exact
and a place freed by a cancellation goes to exactly one member of the waiting list (the one
waiting longest), who is told through the outbox, once, even when several members cancel at
the same moment.

Messages never carry the venue or the meeting link: they link to the event page, which shows
them to members with a place at the time they look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.audit.services import audit_record
from rankandfile.ballots.models import Ballot
from rankandfile.events import selectors
from rankandfile.events.models import (
    CalendarFeed,
    Event,
    EventState,
    EventVisibility,
    Rsvp,
    RsvpStatus,
    Session,
    SessionChoice,
)
from rankandfile.groups.models import Group, Visibility
from rankandfile.lib.markdown import COMMENT_LONGEST, MarkdownTooLongError, markdown_source_clean
from rankandfile.lib.postcodes import PostcodeDistrictError, normalise_postcode_district
from rankandfile.lib.tokens import token_digest, token_new
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import KindOptOut, MessageClass
from rankandfile.notifications.services import message_enqueue, messages_fan_out

DESCRIPTION_LONGEST = COMMENT_LONGEST * 2
LONGEST_EVENT = timedelta(days=14)
DAY_BEFORE, HOUR_BEFORE = timedelta(days=1), timedelta(hours=1)


class EventError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


@dataclass(frozen=True, kw_only=True)
class EventDetails:
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    in_person: bool
    district: str
    venue: str
    online: bool
    meeting_url: str
    capacity: int
    visibility: str = EventVisibility.PUBLIC


def _clean(details: EventDetails, *, group: Group | None) -> dict[str, Any]:
    title = " ".join(details.title.split())
    if not title:
        raise EventError("Give the event a title.")
    try:
        description = markdown_source_clean(
            details.description, longest=DESCRIPTION_LONGEST, what="The description"
        )
    except MarkdownTooLongError as error:
        raise EventError(str(error)) from None
    if details.ends_at <= details.starts_at:
        raise EventError("The event must end after it starts.")
    if details.ends_at - details.starts_at > LONGEST_EVENT:
        raise EventError("An event can last at most 14 days.")
    if not (details.in_person or details.online):
        raise EventError("Say whether the event is in person, online or both.")
    district, venue = "", ""
    if details.in_person:
        try:
            district = normalise_postcode_district(details.district)
        except PostcodeDistrictError:
            raise EventError(
                "Give the postcode district of the venue, for example M1 or LS6."
            ) from None
        venue = details.venue.strip()
        if not venue:
            raise EventError("Give the venue's address (only members with a place see it).")
    meeting_url = details.meeting_url.strip() if details.online else ""
    if details.online and not meeting_url.startswith("https://"):
        raise EventError("Give the meeting link, starting with https://.")
    if details.capacity < 1:
        raise EventError("An event needs at least one place.")
    visibility = details.visibility
    if visibility not in EventVisibility.values:
        raise EventError("Choose who can see the event.")
    if group is not None and group.visibility == Visibility.HIDDEN:
        visibility = EventVisibility.MEMBERS  # a hidden group's events are as hidden as it
    return {
        "title": title[:200],
        "description": description,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "in_person": details.in_person,
        "district": district,
        "venue": venue,
        "online": details.online,
        "meeting_url": meeting_url,
        "capacity": details.capacity,
        "visibility": visibility,
    }


def _require_organiser(member: User, event: Event) -> None:
    if not selectors.member_may_organise(member=member, event=event):
        raise EventError("Only the event's organisers can do that.")


@transaction.atomic
def event_create(*, organiser: User, group: Group | None, details: EventDetails) -> Event:
    """An event of ``group`` (by one of its organisers) or of the network (``group`` None, by
    a network coordinator)."""
    draft = Event(group=group)
    _require_organiser(organiser, draft)
    event = Event.objects.create(group=group, created_by=organiser, **_clean(details, group=group))
    audit_record(
        actor=organiser,
        action="events.create",
        target_type="event",
        target_id=event.pk,
        details={"group": group.pk if group else None, "capacity": event.capacity},
    )
    return event


def event_locked(event: Event) -> Event:
    """The event, its row locked until the transaction ends: every write about places takes
    this lock first, so that they happen one after another."""
    return Event.objects.select_for_update(of=("self",)).select_related("group").get(pk=event.pk)


def _message_context(event: Event) -> dict[str, Any]:
    return {
        "event_title": event.title,
        "starts": timezone.localtime(event.starts_at).strftime("%A %-d %B %Y, %H:%M"),
        "where": event.where_public,
        "event_url": absolute_url(event.get_absolute_url()),
    }


def _place_holders(event: Event) -> QuerySet[User]:
    return User.objects.filter(event_rsvps__event=event, event_rsvps__status=RsvpStatus.PLACE)


@transaction.atomic
def event_update(*, organiser: User, event: Event, details: EventDetails) -> Event:
    """Change an event. When its time or place changes, everyone with a place is told; when
    its capacity grows, the waiting list moves up. Places already given are kept when it
    shrinks."""
    locked = event_locked(event)
    _require_organiser(organiser, locked)
    if locked.is_cancelled:
        raise EventError("The event is cancelled: it can no longer be changed.")
    fields = _clean(details, group=locked.group)
    where_and_when = ("starts_at", "ends_at", "in_person", "district", "venue", "online")
    moved = any(getattr(locked, name) != fields[name] for name in where_and_when) or (
        locked.meeting_url != fields["meeting_url"]
    )
    for name, value in fields.items():
        setattr(locked, name, value)
    if moved:
        locked.revision += 1
    locked.save()
    if moved:
        messages_fan_out(
            key_prefix=f"event:{locked.pk}:changed:{locked.revision}",
            kind=MessageClass.SERVICE,
            template="event_changed",
            recipients=_place_holders(locked),
            context=_message_context(locked),
            group=locked.group,
        )
    _places_fill(locked)
    audit_record(
        actor=organiser,
        action="events.update",
        target_type="event",
        target_id=locked.pk,
        details={"moved": moved, "capacity": locked.capacity},
    )
    return locked


@transaction.atomic
def event_cancel(*, organiser: User, event: Event) -> Event:
    """Cancel the event; everyone with a place is told (once)."""
    locked = event_locked(event)
    _require_organiser(organiser, locked)
    if locked.is_cancelled:
        return locked
    locked.state = EventState.CANCELLED
    locked.save(update_fields=["state"])
    messages_fan_out(
        key_prefix=f"event:{locked.pk}:cancelled",
        kind=MessageClass.SERVICE,
        template="event_cancelled",
        recipients=_place_holders(locked),
        context=_message_context(locked),
        group=locked.group,
    )
    audit_record(actor=organiser, action="events.cancel", target_type="event", target_id=locked.pk)
    return locked


# Places and the waiting list ----------------------------------------------------------------


def _require_open(event: Event, now: datetime) -> None:
    if event.is_cancelled:
        raise EventError("The event is cancelled.")
    if event.ends_at <= now:
        raise EventError("The event is over.")


@transaction.atomic
def rsvp_create(*, event: Event, member: User, now: datetime | None = None) -> Rsvp:
    """A place if one is free, else a turn on the waiting list. Once only per member."""
    now = now or timezone.now()
    locked = event_locked(event)
    _require_open(locked, now)
    if not selectors.member_may_rsvp(member=member, event=locked):
        raise EventError("Only members of the group can come to this event.")
    if not member_has_consent(member, ConsentPurpose.MEMBERSHIP):
        raise EventError("Give your consent to membership of the network first.")
    free = selectors.places_taken(locked) < locked.capacity
    try:
        with transaction.atomic():
            return Rsvp.objects.create(
                event=locked,
                member=member,
                status=RsvpStatus.PLACE if free else RsvpStatus.WAITING,
            )
    except IntegrityError:
        raise EventError("You have already answered: see your place below.") from None


@transaction.atomic
def rsvp_cancel(*, event: Event, member: User, now: datetime | None = None) -> list[Rsvp]:
    """Give up a place (or leave the waiting list). A freed place goes to the member waiting
    longest, who is told. Returns the RSVPs promoted (none, or one). Cancelling twice is
    harmless: the second finds nothing to cancel."""
    now = now or timezone.now()
    locked = event_locked(event)
    rsvp = Rsvp.objects.filter(event=locked, member=member).first()
    if rsvp is None:
        return []
    SessionChoice.objects.filter(session__event=locked, member=member).delete()
    rsvp.delete()
    if locked.is_cancelled or locked.ends_at <= now:
        return []
    return _places_fill(locked, now=now)


def _places_fill(event: Event, *, now: datetime | None = None) -> list[Rsvp]:
    """Give free places to the waiting list, longest waiting first, each told once. The caller
    holds the event's lock."""
    now = now or timezone.now()
    if event.is_cancelled or event.ends_at <= now:
        return []
    free = event.capacity - selectors.places_taken(event)
    if free <= 0:
        return []
    promoted = list(
        Rsvp.objects.filter(event=event, status=RsvpStatus.WAITING)
        .select_related("member")
        .order_by("created_at", "pk")[:free]
    )
    for rsvp in promoted:
        rsvp.status, rsvp.promoted_at = RsvpStatus.PLACE, now
        rsvp.save(update_fields=["status", "promoted_at"])
        message_enqueue(
            key=f"event:{event.pk}:place:{rsvp.pk}:member:{rsvp.member_id}",
            kind=MessageClass.SERVICE,
            recipient=rsvp.member,
            template="event_place_given",
            context=_message_context(event),
            group=event.group,
        )
    return promoted


# Sessions of a major gathering --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SessionDetails:
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str
    meeting_url: str
    capacity: int
    ballot_id: int | None = None
    motion_id: int | None = None


def _linked_ballot(event: Event, ballot_id: int | None) -> Ballot | None:
    if ballot_id is None:
        return None
    ballot = Ballot.objects.filter(pk=ballot_id, group=event.group).first()
    if ballot is None:
        raise EventError("Choose a ballot of the event's own group (or of the network).")
    return ballot


def _linked_motion_id(event: Event, motion_id: int | None) -> int | None:
    """A motion of the event's own group (proposals app, asked by label: a sibling app)."""
    if motion_id is None:
        return None
    motion_model = Session._meta.get_field("motion").related_model
    assert motion_model is not None and not isinstance(motion_model, str)
    motions = motion_model._default_manager.filter(pk=motion_id, group_id=event.group_id)
    if event.group_id is None or not motions.exclude(state="draft").exists():
        raise EventError("Choose a motion of the event's own group that is open or decided.")
    return motion_id


@transaction.atomic
def session_create(*, organiser: User, event: Event, details: SessionDetails) -> Session:
    locked = event_locked(event)
    _require_organiser(organiser, locked)
    title = " ".join(details.title.split())
    if not title:
        raise EventError("Give the session a title.")
    if details.ends_at <= details.starts_at:
        raise EventError("The session must end after it starts.")
    if details.starts_at < locked.starts_at or details.ends_at > locked.ends_at:
        raise EventError("A session must fall within the event's own times.")
    if details.capacity < 1:
        raise EventError("A session needs at least one place.")
    meeting_url = details.meeting_url.strip()
    if meeting_url and not meeting_url.startswith("https://"):
        raise EventError("Give the session's meeting link, starting with https://.")
    session = Session.objects.create(
        event=locked,
        title=title[:200],
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        room=details.room.strip()[:200],
        meeting_url=meeting_url,
        capacity=details.capacity,
        ballot=_linked_ballot(locked, details.ballot_id),
        motion_id=_linked_motion_id(locked, details.motion_id),
    )
    audit_record(
        actor=organiser,
        action="events.session_create",
        target_type="event",
        target_id=locked.pk,
        details={"session": session.pk, "capacity": session.capacity},
    )
    return session


@transaction.atomic
def session_choose(*, session: Session, member: User) -> SessionChoice:
    """A member with a place at the event chooses a session, if it has room. The session row
    is locked while its choices are counted."""
    locked = Session.objects.select_for_update().select_related("event").get(pk=session.pk)
    _require_open(locked.event, timezone.now())
    if not selectors.has_place(event=locked.event, member=member):
        raise EventError("Take a place at the event first, then choose its sessions.")
    if SessionChoice.objects.filter(session=locked, member=member).exists():
        raise EventError("You have already chosen this session.")
    if SessionChoice.objects.filter(session=locked).count() >= locked.capacity:
        raise EventError("This session is full: choose another.")
    return SessionChoice.objects.create(session=locked, member=member)


@transaction.atomic
def session_leave(*, session: Session, member: User) -> bool:
    return SessionChoice.objects.filter(session=session, member=member).delete()[0] > 0


# The calendar feed -----------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_reset(*, member: User, now: datetime | None = None) -> str:
    """A new secret for the member's feed (made the first time); the old address stops
    working at once. Returns the secret: it is shown once, and only its digest kept."""
    token = token_new()
    CalendarFeed.objects.update_or_create(
        member=member,
        defaults={"token_digest": token_digest(token), "created_at": now or timezone.now()},
    )
    return token


# Reminders (the clock) ------------------------------------------------------------------------


def _remind(event: Event, *, template: str, label: str) -> int:
    opted_out = KindOptOut.objects.filter(kind=template).values("member_id")
    return messages_fan_out(
        key_prefix=f"event:{event.pk}:{label}:{int(event.starts_at.timestamp())}",
        kind=MessageClass.SERVICE,
        template=template,
        recipients=_place_holders(event).exclude(pk__in=opted_out),
        context=_message_context(event),
        group=event.group,
    )


def events_remind_due(*, now: datetime | None = None) -> int:
    """A day before and an hour before each event, everyone with a place who has not turned
    that reminder off is reminded; returns how many messages were queued.

    Exactly once per person per reminder: the event remembers the start time each reminder was
    sent for (a moved event is reminded again) and each message is keyed by event, reminder,
    start time and member. Each event is done in its own transaction under its lock; an event
    another run holds is skipped (that run does it). Safe to run twice.
    """
    now = now or timezone.now()
    scheduled = Event.objects.filter(state=EventState.SCHEDULED, starts_at__gt=now)
    queued = 0
    for field, before, template, label in (
        ("hour_reminder_for", HOUR_BEFORE, "event_reminder_hour", "hour"),
        ("day_reminder_for", DAY_BEFORE, "event_reminder_day", "day"),
    ):
        due = scheduled.filter(starts_at__lte=now + before).exclude(**{field: F("starts_at")})
        for event_id in due.values_list("pk", flat=True):
            with transaction.atomic():
                event = (
                    Event.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("group")
                    .filter(pk=event_id, state=EventState.SCHEDULED)
                    .first()
                )
                if event is None or getattr(event, field) == event.starts_at:
                    continue
                # A day's reminder is not sent when the hour's is already due.
                if label == "hour" or event.starts_at - now > HOUR_BEFORE:
                    queued += _remind(event, template=template, label=label)
                setattr(event, field, event.starts_at)
                event.save(update_fields=[field])
    return queued
