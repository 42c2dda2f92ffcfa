"""Reads about gatherings, each deciding what the viewer may see.

Visibility follows the group's: a public event of a public or listed group can be seen by
anyone, even without an account; a members-only event only by the group's members (for a
network event, by any signed-in member); every event of a hidden group only by its members.
The venue, the meeting link and sessions' rooms and links are for members with a place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.ballots.models import Ballot
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
from rankandfile.groups.models import Group, Membership, Role, Visibility
from rankandfile.lib.tokens import token_digest

Viewer = User | AnonymousUser

# Shown on the list pages; a group with more upcoming events pages through them.
EVENTS_SHOWN = 50


def _visible_q(viewer: Viewer) -> Q:
    visible = Q(visibility=EventVisibility.PUBLIC) & ~Q(group__visibility=Visibility.HIDDEN)
    if viewer.is_authenticated:
        mine = Membership.objects.filter(member=viewer).values("group_id")
        visible |= Q(group__isnull=True) | Q(group_id__in=mine)
    return visible


def events_visible(viewer: Viewer) -> QuerySet[Event]:
    return Event.objects.filter(_visible_q(viewer))


def event_get_for_viewer(*, event_id: int, viewer: Viewer) -> Event:
    """An event the viewer may see, or 404 (deny by default: no hint that it exists)."""
    event = events_visible(viewer).select_related("group").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    return event


def _count_of(rows: QuerySet[Any]) -> Coalesce:
    """How many of ``rows`` (of a model with an ``event`` key) belong to the outer event."""
    counted = rows.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), Value(0))


def events_upcoming(
    *, viewer: Viewer, group: Group | None = None, now: datetime | None = None
) -> QuerySet[Event]:
    """Events not yet over that the viewer may see, soonest first, each annotated with
    ``places_taken`` and, for a signed-in viewer, ``my_status`` (their RSVP's, or None): the
    list pages' rows in one query."""
    now = now or timezone.now()
    events = events_visible(viewer).filter(ends_at__gt=now)
    if group is not None:
        events = events.filter(group=group)
    events = events.select_related("group").annotate(
        places_taken=_count_of(Rsvp.objects.filter(status=RsvpStatus.PLACE)),
        session_count=_count_of(Session.objects.all()),
    )
    if viewer.is_authenticated:
        own = Rsvp.objects.filter(event=OuterRef("pk"), member=viewer).values("status")[:1]
        events = events.annotate(my_status=Subquery(own))
    return events.order_by("starts_at", "pk")


def rsvp_of(*, event: Event, member: Viewer) -> Rsvp | None:
    if not member.is_authenticated:
        return None
    return Rsvp.objects.filter(event=event, member=member).first()


def has_place(*, event: Event, member: Viewer) -> bool:
    """Whether the member has a place: the one question that decides who sees the venue, the
    link and sessions' rooms and links."""
    if not member.is_authenticated:
        return False
    return Rsvp.objects.filter(event=event, member=member, status=RsvpStatus.PLACE).exists()


def places_taken(event: Event) -> int:
    return Rsvp.objects.filter(event=event, status=RsvpStatus.PLACE).count()


def waiting_position(rsvp: Rsvp) -> int:
    """Where a waiting member stands on the list: 1 is next."""
    earlier = Rsvp.objects.filter(event_id=rsvp.event_id, status=RsvpStatus.WAITING).filter(
        Q(created_at__lt=rsvp.created_at) | Q(created_at=rsvp.created_at, pk__lt=rsvp.pk)
    )
    return earlier.count() + 1


def member_may_organise(*, member: Viewer, event: Event) -> bool:
    """A group's event: its organisers; a network event: the network coordinators."""
    if not isinstance(member, User):
        return False
    if event.group_id is None:
        return member.is_network_coordinator
    return Membership.objects.filter(
        group_id=event.group_id, member=member, role=Role.ORGANISER
    ).exists()


def member_may_rsvp(*, member: Viewer, event: Event) -> bool:
    """Who may take a place: anyone signed in who may see a public event; for a members-only
    event of a group, its members (a network one: any signed-in member)."""
    if not member.is_authenticated:
        return False
    if event.visibility == EventVisibility.PUBLIC or event.group_id is None:
        return True
    return Membership.objects.filter(group_id=event.group_id, member=member).exists()


@dataclass(frozen=True)
class OrganiserView:
    """What an organiser sees of who is coming: counts, and the display names of members
    with a place who consented to introductions. Never a list of everyone."""

    places_taken: int
    waiting: int
    names: list[str]
    others: int  # with a place, not named


def event_for_organiser(event: Event) -> OrganiserView:
    counts = Rsvp.objects.filter(event=event).aggregate(
        places=Count("pk", filter=Q(status=RsvpStatus.PLACE)),
        waiting=Count("pk", filter=Q(status=RsvpStatus.WAITING)),
    )
    consenting = Consent.objects.filter(
        member=OuterRef("member_id"),
        purpose=ConsentPurpose.INTRODUCTIONS,
        withdrawn_at__isnull=True,
    )
    names = sorted(
        Rsvp.objects.filter(event=event, status=RsvpStatus.PLACE)
        .filter(Exists(consenting))
        .values_list("member__display_name", flat=True)
    )
    return OrganiserView(
        places_taken=counts["places"],
        waiting=counts["waiting"],
        names=names,
        others=counts["places"] - len(names),
    )


def sessions_of(*, event: Event, member: Viewer) -> list[Session]:
    """The event's sessions, each with ``chosen_count`` and ``chosen_by_me``, with their
    ballot and motion, in one query."""
    sessions = (
        Session.objects.filter(event=event)
        .select_related("ballot", "motion")
        .annotate(chosen_count=Count("choices"))
    )
    if member.is_authenticated:
        sessions = sessions.annotate(
            chosen_by_me=Exists(SessionChoice.objects.filter(session=OuterRef("pk"), member=member))
        )
    return list(sessions.order_by("starts_at", "pk"))


def session_get(*, event: Event, session_id: int) -> Session:
    session = Session.objects.filter(event=event, pk=session_id).first()
    if session is None:
        raise Http404("No such session")
    return session


def events_of_member(member: User, *, since: datetime | None = None) -> QuerySet[Rsvp]:
    """The member's RSVPs to events not cancelled that end after ``since`` (default: all),
    soonest first, with their events and groups."""
    rsvps = (
        Rsvp.objects.filter(member=member)
        .exclude(event__state=EventState.CANCELLED)
        .select_related("event", "event__group")
    )
    if since is not None:
        rsvps = rsvps.filter(event__ends_at__gt=since)
    return rsvps.order_by("event__starts_at", "event_id")


def sessions_chosen_by(member: User) -> QuerySet[SessionChoice]:
    return (
        SessionChoice.objects.filter(member=member)
        .exclude(session__event__state=EventState.CANCELLED)
        .select_related("session", "session__event")
    )


def calendar_feed_of(member: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(member=member).first()


def member_for_feed_token(token: str) -> User | None:
    """The active member whose feed this secret opens, or None (an old, reset secret too)."""
    feed = (
        CalendarFeed.objects.select_related("member")
        .filter(token_digest=token_digest(token), member__is_active=True)
        .first()
    )
    return feed.member if feed is not None else None


def session_link_choices(event: Event) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The ballots and the motions (open or decided) of the event's group that a session may
    be linked to. Motions belong to the proposals app, a sibling: asked for by the session's
    key, not imported."""
    ballots = Ballot.objects.filter(group=event.group).order_by("-opens_at", "-pk")
    if event.group_id is None:
        return list(ballots.values_list("pk", "title")[:50]), []
    motion_model = Session._meta.get_field("motion").related_model
    assert motion_model is not None and not isinstance(motion_model, str)
    motions = (
        motion_model._default_manager.filter(group_id=event.group_id)
        .exclude(state="draft")
        .order_by("-pk")
        .values_list("pk", "title")[:50]
    )
    return list(ballots.values_list("pk", "title")[:50]), list(motions)
