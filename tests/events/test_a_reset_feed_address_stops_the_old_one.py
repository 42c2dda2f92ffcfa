"""A member's calendar feed: a secret address shown once, kept only as a digest; resetting it
(after asking) makes a new one, and the old address then answers 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.events.models import CalendarFeed
from rankandfile.lib.tokens import token_digest
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db
FEED = re.compile(r'value="(https?://[^"]+/events/calendar/([^"/]+)\.ics)"')


def test_the_old_address_answers_404_once_reset(make_member: MakeMember) -> None:
    member = make_member()
    client = Client()
    client.force_login(member)
    page = client.get(reverse("events:calendar")).content.decode()
    assert "Make my calendar address" in page

    made = client.post(reverse("events:feed_reset")).content.decode()
    first = FEED.search(made)
    assert first, made
    old_url, old_token = first.groups()
    feed = CalendarFeed.objects.get(member=member)
    assert feed.token_digest == token_digest(old_token) and old_token not in feed.token_digest
    old_path = reverse("events:feed", kwargs={"token": old_token})
    assert old_url.endswith(old_path)
    answer = Client().get(old_path)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in answer.content

    # Shown once: the page does not show it again.
    assert old_token not in client.get(reverse("events:calendar")).content.decode()

    # A reset asks first, then makes a new address; the old one is gone.
    asked = client.post(reverse("events:feed_reset")).content.decode()
    assert "Make a new calendar address?" in asked and not FEED.search(asked)
    assert Client().get(old_path).status_code == 200
    made = client.post(reverse("events:feed_reset"), {"confirmed": "yes"}).content.decode()
    second = FEED.search(made)
    assert second and second.group(2) != old_token
    assert Client().get(old_path).status_code == 404
    new_path = reverse("events:feed", kwargs={"token": second.group(2)})
    assert Client().get(new_path).status_code == 200
    assert Client().get(reverse("events:feed", kwargs={"token": "guess"})).status_code == 404


def test_a_deactivated_members_feed_answers_404(make_member: MakeMember) -> None:
    from rankandfile.events.services import calendar_feed_reset

    member = make_member()
    token = calendar_feed_reset(member=member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert Client().get(reverse("events:feed", kwargs={"token": token})).status_code == 404
