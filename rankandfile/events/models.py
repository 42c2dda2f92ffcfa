"""Gatherings: events of a group or of the network, the places members take, sessions of a
major gathering, and each member's private calendar feed.

Privacy: the venue address and the meeting link are shown only to members with a place
(``Rsvp`` with status "place"); everyone who may see the event sees its postcode district and
whether it is online. Who has a place is never listed, except to organisers, and then only the
display names of members who consented to introductions.

Invariants the database holds: one RSVP per member per event, one choice per member per
session, an event ends after it starts and happens somewhere (in person, online or both), a
positive capacity. Places are given under a lock on the event row (``services``), so a place
freed by a cancellation goes to exactly one member of the waiting list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from rankandfile.accounts.models import validate_postcode_district
from rankandfile.ballots.models import Ballot
from rankandfile.groups.models import Group


class EventVisibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone can see it"
    MEMBERS = "members", "Members only"


class EventState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Event(models.Model):
    # Empty for a gathering of the whole network (made by a network coordinator).
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)  # Markdown source, rendered by lib.markdown
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    in_person = models.BooleanField(default=False)
    district = models.CharField(  # public: where, roughly
        max_length=4, blank=True, validators=[validate_postcode_district]
    )
    venue = models.TextField(blank=True)  # the address: only for those with a place
    online = models.BooleanField(default=False)
    meeting_url = models.URLField(max_length=500, blank=True)  # only for those with a place
    capacity = models.PositiveIntegerField()
    visibility = models.CharField(
        max_length=16, choices=EventVisibility.choices, default=EventVisibility.PUBLIC
    )
    state = models.CharField(
        max_length=16, choices=EventState.choices, default=EventState.SCHEDULED
    )
    # Counts changes of time or place: each change's message to those with a place is keyed
    # by it, so that it is queued once.
    revision = models.PositiveIntegerField(default=0)
    # The start time each reminder was sent for (a sent-marker: a moved event is reminded
    # again; the messages themselves are keyed per member).
    day_reminder_for = models.DateTimeField(null=True, blank=True)
    hour_reminder_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["state", "starts_at"]),
            models.Index(fields=["group", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="events_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(in_person=True) | Q(online=True), name="events_event_somewhere"
            ),
            models.CheckConstraint(
                condition=Q(in_person=False) | ~Q(district=""),
                name="events_event_in_person_has_district",
            ),
            models.CheckConstraint(
                condition=Q(online=False) | ~Q(meeting_url=""),
                name="events_event_online_has_link",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="events_event_capacity"),
            models.CheckConstraint(
                condition=Q(visibility__in=EventVisibility.values),
                name="events_event_visibility_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"event_id": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def where_public(self) -> str:
        """Where, as anyone who may see the event may know it: the district, and/or online."""
        parts = []
        if self.in_person:
            parts.append(f"In person in {self.district}")
        if self.online:
            parts.append("online")
        return " and ".join(parts).capitalize()


class RsvpStatus(models.TextChoices):
    PLACE = "place", "Has a place"
    WAITING = "waiting", "On the waiting list"


class Rsvp(models.Model):
    """A member's place at an event, or their turn on its waiting list (oldest first).
    Cancelling deletes the row: nothing is kept of who once meant to come."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(max_length=8, choices=RsvpStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="events_rsvp_one_per_member"),
            models.CheckConstraint(
                condition=Q(status__in=RsvpStatus.values), name="events_rsvp_status_known"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"RSVP {self.pk} ({self.status})"


class Session(models.Model):
    """A session of a major gathering, with its own time, room or link, and capacity. The room
    and link, like the venue, are shown only to members with a place at the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=200, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField()
    # What the session decides: a ballot (ballots app) or a motion (proposals app, named by
    # its label so that this app does not import its sibling).
    ballot = models.ForeignKey(
        Ballot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motion = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="events_session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="events_session_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionChoice(models.Model):
    """A member with a place at the event has chosen this session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="choices")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_choices"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="events_sessionchoice_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Choice {self.pk} of session {self.session_id}"


class CalendarFeed(models.Model):
    """A member's private iCalendar feed. Only the SHA-256 of its secret is kept: the member
    sees the address once; resetting it makes a new secret and the old address answers 404."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of member {self.member_id}"
