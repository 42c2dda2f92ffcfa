"""An introduction shows neither side's contact detail until it is accepted, and none once
either side withdraws: in the pages, the API, the emails and the admin."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import Skill, User
from rankandfile.introductions.models import Introduction
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_ask_skill,
    introduction_contact_set,
    introduction_withdraw,
)
from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import render_parts
from tests.introductions.conftest import MakeIntroducible, api_client
from tests.personas import CaptureCallbacks, MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

MESSAGE = "I am starting a renters' union in Hyde Park and would like to meet you."
ORGANISER_PHONE = "07700900123"


def _client(member: User) -> Client:
    client = Client()
    if Authenticator.objects.filter(user=member).exists():
        login_with_second_factor(client, member)
    else:
        client.force_login(member)
    return client


def _pages(viewer: User, group_slug: str | None = None) -> str:
    client = _client(viewer)
    text = client.get(reverse("introductions:mine")).text
    if group_slug:
        text += client.get(reverse("introductions:group", args=[group_slug])).text
    return text


def _api(viewer: User) -> str:
    response = api_client(viewer).get("/api/v1/introductions")
    assert response.status_code == 200
    return response.text


def _emails() -> str:
    """Every email queued so far, as its recipient would read it (subject, text and HTML)."""
    rendered = []
    for message in Message.objects.select_related("recipient"):
        assert message.recipient is not None
        parts = render_parts(
            template=message.template, context=message.context, recipient=message.recipient
        )
        rendered.append(" ".join(parts) + json.dumps(message.context))
    return "\n".join(rendered)


def _admin(introduction: Introduction, make_member: MakeMember) -> str:
    staff = make_member(mfa=True)
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    client = _client(staff)
    listing = client.get(reverse("admin:introductions_introduction_changelist"))
    change = client.get(reverse("admin:introductions_introduction_change", args=[introduction.pk]))
    assert listing.status_code == change.status_code == 200
    return listing.text + change.text


def test_a_request_to_a_group_shows_contacts_only_while_accepted(
    make_introducible: MakeIntroducible,
    make_group: MakeGroup,
    make_member: MakeMember,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    organiser = make_introducible(mfa=True, email="organiser@example.org")
    introduction_contact_set(member=organiser, method="phone", phone="07700 900123")
    group = make_group(organiser=organiser, name="Hyde Park Renters")
    asker = make_introducible(email="asker@example.org", display_name="Sam")
    introduction = introduction_ask_group(asker=asker, group=group, message=MESSAGE)

    # Asked: the organisers read the message and the asker's name, nobody a contact detail.
    organiser_view = _pages(organiser, group.slug)
    assert MESSAGE.replace("'", "&#x27;") in organiser_view and "Sam" in organiser_view
    assert "asker@example.org" not in organiser_view
    assert ORGANISER_PHONE not in _pages(asker)
    for viewer in (asker, organiser):
        api = json.loads(_api(viewer))
        rows = api["asked"] + api["received"]
        assert [row["contact"] for row in rows] == [None]
        assert "asker@example.org" not in _api(viewer) and ORGANISER_PHONE not in _api(viewer)
    requested = _emails()
    assert "Sam asks you for an introduction" in requested
    assert "asker@example.org" not in requested and MESSAGE not in requested

    with django_capture_on_commit_callbacks(execute=True):
        introduction_accept(introduction=introduction, member=organiser)

    # Accepted: each side sees the other's chosen detail, on the site and in the API.
    assert ORGANISER_PHONE in _pages(asker)
    assert "asker@example.org" in _pages(organiser, group.slug)
    asked = json.loads(_api(asker))["asked"][0]
    assert asked["contact"] == {"method": "phone", "value": ORGANISER_PHONE}
    received = json.loads(_api(organiser))["received"][0]
    assert received["contact"] == {"method": "email", "value": "asker@example.org"}
    # The acceptance email sends the asker to the site; it never carries a contact detail.
    accepted = Message.objects.get(template="introduction_accepted", recipient=asker)
    accepted_parts = " ".join(
        render_parts(template=accepted.template, context=accepted.context, recipient=asker)
    )
    assert "See the contact details on the site" in accepted_parts
    emails = _emails()
    assert ORGANISER_PHONE not in emails and "asker@example.org" not in emails
    admin = _admin(introduction, make_member)
    assert "asker@example.org" not in admin and ORGANISER_PHONE not in admin
    assert MESSAGE not in admin and MESSAGE.replace("'", "&#x27;") not in admin

    introduction_withdraw(introduction=introduction, member=asker)

    # Withdrawn: hidden again, from both sides and everywhere.
    assert ORGANISER_PHONE not in _pages(asker)
    assert "asker@example.org" not in _pages(organiser, group.slug)
    for viewer in (asker, organiser):
        assert "asker@example.org" not in _api(viewer) and ORGANISER_PHONE not in _api(viewer)
    assert Message.objects.filter(template="introduction_withdrawn", recipient=organiser).exists()
    emails = _emails()
    assert ORGANISER_PHONE not in emails and "asker@example.org" not in emails


def test_a_request_for_a_skill_never_says_whom_it_reached_until_one_accepts(
    make_introducible: MakeIntroducible, skill: Skill
) -> None:
    near = make_introducible(skilled=True, district="LS6", display_name="Near Nell")
    also = make_introducible(skilled=True, district="LS2", display_name="Also Ade")
    asker = make_introducible(district="LS6", display_name="Asking Alex")
    introduction = introduction_ask_skill(
        asker=asker, skill=skill, district="LS6", radius_km=10, message="Who can canvass?"
    )
    assert set(introduction.matches.values_list("member_id", flat=True)) == {near.pk, also.pk}

    # The asker is told neither who nor how many; each matched member sees only the request.
    asker_view = _pages(asker) + _api(asker)
    for matched in (near, also):
        assert matched.display_name not in asker_view and matched.email not in asker_view
    assert "Waiting for an answer" in asker_view
    assert "Also Ade" not in _pages(near) + _api(near)
    assert "Near Nell" not in _pages(also) + _api(also)
    assert asker.email not in _pages(near) + _api(near)

    introduction_accept(introduction=introduction, member=near)

    # Only the one who accepted becomes known to the asker, with their contact.
    asker_view = _pages(asker) + _api(asker)
    assert "Near Nell" in asker_view and near.email in asker_view
    assert "Also Ade" not in asker_view and also.email not in asker_view
    assert asker.email in _pages(near)
    # The other member matched no longer sees a request someone else has answered.
    assert "Who can canvass?" not in _pages(also) + _api(also)
    assert json.loads(_api(also))["received"] == []

    introduction_withdraw(introduction=introduction, member=near)

    assert near.email not in _pages(asker) + _api(asker)
    assert asker.email not in _pages(near) + _api(near)
