"""Pages of gatherings: the list, an event (RSVP, sessions, add to calendar), organisers' pages
(new, edit, manage, cancel, sessions), the member's calendar page and their private feed.

Every write goes through ``services``, whose refusals come back to the member as a message or
a form error (with what they typed kept).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.decorators import (
    mfa_required,
    network_coordinator_required,
    request_member,
)
from rankandfile.events import calendars, selectors, services
from rankandfile.events.forms import EventForm, SessionForm, event_initial
from rankandfile.events.models import Event, RsvpStatus
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import group_get_for_organiser, group_get_for_viewer
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only
from rankandfile.lib.paging import page_of
from rankandfile.lib.urls import absolute_url


def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events the visitor may see; ``?group=<slug>`` for one group's."""
    group = None
    slug = request.GET.get("group", "")
    if slug:  # a hidden group is not found by anyone outside it
        group = group_get_for_viewer(slug=slug, viewer=request.user)
    events = selectors.events_upcoming(viewer=request.user, group=group)
    organises = None
    if request.user.is_authenticated and group is not None:
        organises = selectors.member_may_organise(member=request.user, event=Event(group=group))
    return render(
        request,
        "events/event_list.html",
        {
            "page_obj": page_of(request, events, per_page=selectors.EVENTS_SHOWN),
            "group": group,
            "may_create": organises,
            "may_create_network": getattr(request.user, "is_network_coordinator", False),
        },
    )


def _detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    rsvp = selectors.rsvp_of(event=event, member=request.user)
    with_place = rsvp is not None and rsvp.status == RsvpStatus.PLACE
    taken = selectors.places_taken(event)
    return {
        "event": event,
        "rsvp": rsvp,
        "with_place": with_place,
        "position": selectors.waiting_position(rsvp)
        if rsvp is not None and rsvp.status == RsvpStatus.WAITING
        else None,
        "full": taken >= event.capacity,
        "is_over": event.ends_at <= timezone.now(),
        "may_rsvp": selectors.member_may_rsvp(member=request.user, event=event),
        "may_organise": selectors.member_may_organise(member=request.user, event=event),
        "sessions": selectors.sessions_of(event=event, member=request.user),
        "ics_url": reverse("events:ics", kwargs={"event_id": event.pk}),
    }


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    return render(request, "events/event_detail.html", _detail_context(request, event))


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event as an iCalendar file: with the venue and link only for a member with a place."""
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    viewer = request.user if request.user.is_authenticated else None
    body = calendars.event_ics(event=event, viewer=viewer)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@post_only("events:detail")
def rsvp(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    try:
        answer = services.rsvp_create(event=event, member=request_member(request))
    except services.EventError as error:
        messages.error(request, str(error))
    else:
        if answer.status == RsvpStatus.PLACE:
            messages.success(request, "You have a place. The details are below.")
        else:
            messages.info(
                request,
                "The event is full: you are on the waiting list. If a place comes free it "
                "is yours, and we will email you.",
            )
    return redirect(event)


@login_required
@post_only("events:detail")
def rsvp_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    member = request_member(request)
    held = selectors.rsvp_of(event=event, member=member)
    if held is None:
        return redirect(event)
    if not confirmed(request):
        place = held.status == RsvpStatus.PLACE
        return confirm_page(
            request,
            title="Give up your place?" if place else "Leave the waiting list?",
            consequences=[
                "Your place goes to the next person on the waiting list, if there is one."
                if place
                else "You lose your turn on the waiting list.",
                "If you change your mind you join the end of the queue.",
            ],
            action_url=reverse("events:rsvp_cancel", kwargs={"event_id": event.pk}),
            confirm_label="Give up my place" if place else "Leave the waiting list",
            cancel_url=event.get_absolute_url(),
        )
    services.rsvp_cancel(event=event, member=member)
    messages.success(request, "Done: you no longer have a place or a turn at this event.")
    return redirect(event)


def _session_action(request: HttpRequest, event_id: int, session_id: int, *, leave: bool) -> Any:
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    session = selectors.session_get(event=event, session_id=session_id)
    member = request_member(request)
    if leave:
        services.session_leave(session=session, member=member)
        messages.success(request, f"You left the session “{session.title}”.")
    else:
        try:
            services.session_choose(session=session, member=member)
        except services.EventError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"You chose the session “{session.title}”.")
    return redirect(f"{event.get_absolute_url()}#sessions")


@login_required
@post_only("events:detail", event_id="event_id")
def session_choose(request: HttpRequest, event_id: int, session_id: int) -> HttpResponse:
    response: HttpResponse = _session_action(request, event_id, session_id, leave=False)
    return response


@login_required
@post_only("events:detail", event_id="event_id")
def session_leave(request: HttpRequest, event_id: int, session_id: int) -> HttpResponse:
    response: HttpResponse = _session_action(request, event_id, session_id, leave=True)
    return response


# Organisers' pages ---------------------------------------------------------------------------


def _event_form_page(
    request: HttpRequest, *, group: Group | None, event: Event | None
) -> HttpResponse:
    initial = event_initial(event) if event is not None else {}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = request_member(request)
        try:
            if event is None:
                event = services.event_create(organiser=member, group=group, details=form.details())
                messages.success(request, "The event is published.")
            else:
                services.event_update(organiser=member, event=event, details=form.details())
                messages.success(request, "The event is changed.")
        except services.EventError as error:
            form.add_error(None, str(error))
        else:
            return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "group": group, "event": event},
        status=400 if form.errors else 200,
    )


@mfa_required
def event_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = group_get_for_organiser(slug=group_slug, organiser=request_member(request))
    return _event_form_page(request, group=group, event=None)


@network_coordinator_required
def network_event_new(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, group=None, event=None)


def _event_for_organiser(request: HttpRequest, event_id: int) -> Event:
    event = selectors.event_get_for_viewer(event_id=event_id, viewer=request.user)
    if not selectors.member_may_organise(member=request.user, event=event):
        raise Http404("No such event")
    return event


@mfa_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for_organiser(request, event_id)
    if event.is_cancelled:
        messages.info(request, "The event is cancelled: it can no longer be changed.")
        return redirect(event)
    return _event_form_page(request, group=event.group, event=event)


@mfa_required
def event_manage(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for_organiser(request, event_id)
    return render(
        request,
        "events/event_manage.html",
        {
            "event": event,
            "seen": selectors.event_for_organiser(event),
            "sessions": selectors.sessions_of(event=event, member=request.user),
        },
    )


@mfa_required
@post_only("events:manage")
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for_organiser(request, event_id)
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Cancel “{event.title}”?",
            consequences=[
                "Everyone with a place is told by email that the event is cancelled.",
                "The event can no longer be changed, and nobody can take a place.",
            ],
            action_url=reverse("events:cancel", kwargs={"event_id": event.pk}),
            confirm_label="Cancel the event",
            cancel_url=reverse("events:manage", kwargs={"event_id": event.pk}),
            danger=True,
        )
    services.event_cancel(organiser=request_member(request), event=event)
    messages.success(request, "The event is cancelled; everyone with a place is told.")
    return redirect(event)


@mfa_required
def session_new(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for_organiser(request, event_id)
    ballots, motions = selectors.session_link_choices(event)
    form = SessionForm(request.POST or None, ballots=ballots, motions=motions)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(
                organiser=request_member(request), event=event, details=form.details()
            )
        except services.EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The session is added.")
            return redirect("events:manage", event_id=event.pk)
    return render(
        request,
        "events/session_form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


# The member's calendar -----------------------------------------------------------------------


def _calendar_page(request: HttpRequest, *, feed_url: str | None) -> HttpResponse:
    member = request_member(request)
    return render(
        request,
        "events/calendar.html",
        {
            "rsvps": selectors.events_of_member(member, since=timezone.now()),
            "feed": selectors.calendar_feed_of(member),
            "feed_url": feed_url,
        },
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, feed_url=None)


@login_required
@post_only("events:calendar")
def feed_reset(request: HttpRequest) -> HttpResponse:
    """Make the member's feed address, or a new one (the old stops working). The address is
    shown on the page this answers with, once: only its digest is kept."""
    member = request_member(request)
    had_one = selectors.calendar_feed_of(member) is not None
    if had_one and not confirmed(request):
        return confirm_page(
            request,
            title="Make a new calendar address?",
            consequences=[
                "The address you have now stops working at once, in every calendar app that "
                "uses it.",
                "You will see the new address once: subscribe to it in your calendar app.",
            ],
            action_url=reverse("events:feed_reset"),
            confirm_label="Make a new address",
            cancel_url=reverse("events:calendar"),
        )
    token = services.calendar_feed_reset(member=member)
    url = absolute_url(reverse("events:feed", kwargs={"token": token}))
    return _calendar_page(request, feed_url=url)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private feed, opened by its secret address alone (calendar apps cannot log
    in). An unknown or reset secret is a 404."""
    member = selectors.member_for_feed_token(token)
    if member is None:
        raise Http404("No such calendar")
    response = HttpResponse(
        calendars.feed_ics(member=member), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
