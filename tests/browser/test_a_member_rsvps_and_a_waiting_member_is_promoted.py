"""Issue 20: a member takes the one place at an online event and then sees its link; a second
member lands on the waiting list (no link) and is promoted when the first gives up the place,
and then sees the link, with an email in the outbox. No serious axe violation on the event
pages, phone or desktop."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.events.models import Rsvp, RsvpStatus
from rankandfile.notifications.models import Message
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.events.helpers import make_event
from tests.personas import MakeGroup, MakeMember

LINK = "https://meet.example.org/branch-9931"


def _no_serious_violations(page: Any) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], (page.url, width)
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.django_db(transaction=True)
def test_a_member_rsvps_and_a_waiting_member_is_promoted(
    page: Any, browser: Any, live_server: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, name="Leeds Left")
    event = make_event(
        organiser=organiser,
        group=group,
        title="Online branch meeting",
        in_person=False,
        district="",
        venue="",
        meeting_url=LINK,
        capacity=1,
    )
    first = make_member(email="first@example.org")
    second = make_member(email="second@example.org")

    log_in(page, "first@example.org")
    page.goto("/events/")
    _no_serious_violations(page)
    page.get_by_role("link", name="Online branch meeting").click()
    page.get_by_role("heading", name="Online branch meeting").wait_for()
    assert page.get_by_text(LINK).count() == 0
    _no_serious_violations(page)
    page.get_by_role("button", name="Take a place").click()
    page.get_by_text("You have a place.", exact=True).wait_for()
    assert page.get_by_role("link", name=LINK).is_visible()
    _no_serious_violations(page)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    other = context.new_page()
    log_in(other, "second@example.org")
    other.goto(event.get_absolute_url())
    other.get_by_role("button", name="Join the waiting list").click()
    other.get_by_text("You are on the waiting list").first.wait_for()
    assert other.get_by_text(LINK).count() == 0
    _no_serious_violations(other)

    page.get_by_role("button", name="Give up my place").click()
    page.get_by_role("heading", name="Give up your place?").wait_for()
    _no_serious_violations(page)
    page.get_by_role("button", name="Give up my place").click()
    page.get_by_text("you no longer have a place").wait_for()
    assert page.get_by_text(LINK).count() == 0

    other.reload()
    other.get_by_text("You have a place.", exact=True).wait_for()
    assert other.get_by_role("link", name=LINK).is_visible()
    assert Rsvp.objects.get(event=event).member == second
    assert Rsvp.objects.get(event=event).status == RsvpStatus.PLACE
    told = Message.objects.get(template="event_place_given")
    assert told.recipient == second and first.pk != second.pk

    other.goto("/events/calendar/")
    other.get_by_role("button", name="Make my calendar address").click()
    other.get_by_label("Calendar address").wait_for()
    _no_serious_violations(other)
    context.close()
