"""Events in the API: public ones without a token; with a token, the member's own RSVP and
the events only members see; a token that may write takes and gives up a place (a read-only
token is refused, a bad token is a 401, never read as nobody). Odd ids are 404s, never a
server error."""

from __future__ import annotations

import pytest
from django.test import Client

from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.events.models import EventVisibility
from rankandfile.groups.services import group_join
from tests.events.helpers import LINK, VENUE, make_event
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _bearer(member: User, scope: str) -> Client:
    _, token = api_token_create(member=member, name="phone", scope=scope)
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_public_without_a_token_and_the_members_own_rsvp_with_one(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    open_day = make_event(organiser=organiser, group=group, title="Open day", capacity=1)
    closed = make_event(
        organiser=organiser,
        group=group,
        title="Members only",
        visibility=EventVisibility.MEMBERS,
    )
    member, second = make_member(), make_member()
    group_join(group=group, member=member)

    listed = Client().get("/api/v1/events").json()
    assert [e["title"] for e in listed] == ["Open day"]
    assert listed[0]["your_rsvp"] is None and listed[0]["district"] == "M2"
    assert Client().get(f"/api/v1/events/{closed.pk}").status_code == 404
    bad = Client(headers={"Authorization": "Bearer rf_not-a-token"})
    assert bad.get("/api/v1/events").status_code == 401

    reader, writer = _bearer(member, TokenScope.READ), _bearer(member, TokenScope.READ_WRITE)
    assert {e["title"] for e in reader.get("/api/v1/events").json()} == {"Open day", "Members only"}
    assert reader.post(f"/api/v1/events/{open_day.pk}/rsvp").status_code == 403
    taken = writer.post(f"/api/v1/events/{open_day.pk}/rsvp")
    assert taken.status_code == 200
    body = taken.json()
    assert body["your_rsvp"] == "place" and body["venue"] == VENUE and body["meeting_url"] == LINK
    assert writer.post(f"/api/v1/events/{open_day.pk}/rsvp").status_code == 409

    other = _bearer(second, TokenScope.READ_WRITE)
    waiting = other.post(f"/api/v1/events/{open_day.pk}/rsvp").json()
    assert waiting["your_rsvp"] == "waiting" and waiting["waiting_position"] == 1
    assert waiting["venue"] is None and waiting["meeting_url"] is None
    assert [e["your_rsvp"] for e in other.get("/api/v1/events").json()] == ["waiting"]

    writer.post(f"/api/v1/events/{open_day.pk}/rsvp/cancel")
    promoted = other.get(f"/api/v1/events/{open_day.pk}").json()
    assert promoted["your_rsvp"] == "place" and promoted["meeting_url"] == LINK


@pytest.mark.parametrize("odd", ["0", "-1", "2147483648", str(2**70), "abc", "%00"])
def test_odd_ids_are_not_found_never_a_server_error(make_member: MakeMember, odd: str) -> None:
    client = _bearer(make_member(), TokenScope.READ_WRITE)
    for path in (f"/api/v1/events/{odd}", f"/api/v1/events/{odd}/rsvp"):
        answer = client.post(path) if path.endswith("rsvp") else client.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
