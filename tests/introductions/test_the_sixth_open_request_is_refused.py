"""A member may have at most 5 requests waiting for an answer; the sixth is refused with a
clear message (on the page, with what they typed kept), and the refusal is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.audit.models import AuditEntry
from rankandfile.introductions.models import Introduction
from rankandfile.introductions.services import (
    OPEN_REQUESTS_MOST,
    TooManyOpenRequestsError,
    introduction_accept,
    introduction_ask_group,
    introduction_withdraw,
)
from tests.introductions.conftest import MakeIntroducible
from tests.personas import MakeGroup

pytestmark = pytest.mark.django_db


def test_the_sixth_open_request_is_refused_until_one_is_answered_or_withdrawn(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    organiser = make_introducible(mfa=True)
    groups = [make_group(organiser=organiser) for _ in range(7)]
    asker = make_introducible()
    asked = [
        introduction_ask_group(asker=asker, group=group, message="Hello")
        for group in groups[:OPEN_REQUESTS_MOST]
    ]

    with pytest.raises(TooManyOpenRequestsError, match="5 requests waiting"):
        introduction_ask_group(asker=asker, group=groups[5], message="Hello")
    assert Introduction.objects.filter(asker=asker).count() == 5
    refusal = AuditEntry.objects.get(action="introductions.ask_refused")
    assert refusal.details["reason"] == "too_many_open" and refusal.actor_id == asker.pk

    introduction_accept(introduction=asked[0], member=organiser)  # answered: no longer open
    introduction_ask_group(asker=asker, group=groups[5], message="Hello")
    introduction_withdraw(introduction=asked[1], member=asker)
    introduction_ask_group(asker=asker, group=groups[6], message="Hello")
    assert Introduction.objects.filter(asker=asker, status="open").count() == 5


def test_the_page_explains_the_refusal_and_keeps_the_message(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    organiser = make_introducible(mfa=True)
    asker = make_introducible()
    for _ in range(OPEN_REQUESTS_MOST):
        introduction_ask_group(asker=asker, group=make_group(organiser=organiser), message="Hi")
    sixth = make_group(organiser=organiser)
    client = Client()
    client.force_login(asker)

    response = client.post(
        reverse("introductions:ask_group", args=[sixth.slug]),
        {"message": "A message I took care over"},
    )

    assert response.status_code == 200
    assert "You already have 5 requests waiting for an answer" in response.text
    assert "A message I took care over" in response.text
    assert not Introduction.objects.filter(group=sixth).exists()
