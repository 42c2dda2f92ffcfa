"""Visibility follows the group's: a public event of a public or listed group is seen by anyone
(the list, the page, the API, the file); a members-only event only by the group's members, and
a network one by any signed-in member; every event of a hidden group only by its members.
Anyone else gets a 404. Only members of the group take a place at a members-only event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.events import services
from rankandfile.events.models import Event, EventVisibility
from rankandfile.events.services import EventError
from rankandfile.groups.services import group_join
from tests.events.helpers import make_event
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _seen(client: Client, event: Event) -> bool:
    codes = {
        client.get(reverse("events:detail", kwargs={"event_id": event.pk})).status_code,
        client.get(reverse("events:ics", kwargs={"event_id": event.pk})).status_code,
        client.get(f"/api/v1/events/{event.pk}").status_code,
    }
    assert len(codes) == 1, codes
    listed = event.title in client.get(reverse("events:list")).content.decode()
    assert listed == (codes == {200})
    return codes == {200}


def test_who_sees_which_event(make_member: MakeMember, make_group: MakeGroup) -> None:
    organiser = make_member(mfa=True)
    coordinator = make_member(coordinator=True)
    public_group = make_group(organiser=organiser)
    hidden_group = make_group(organiser=organiser, visibility="hidden")
    member, other = make_member(), make_member()
    group_join(group=public_group, member=member)
    services_hidden = hidden_group.memberships.create(member=member)
    assert services_hidden.pk
    events = {
        "public": make_event(organiser=organiser, group=public_group, title="Open day"),
        "members": make_event(
            organiser=organiser,
            group=public_group,
            title="Members only meeting",
            visibility=EventVisibility.MEMBERS,
        ),
        "hidden": make_event(organiser=organiser, group=hidden_group, title="Quiet meeting"),
        "network": make_event(
            organiser=coordinator,
            group=None,
            title="Network assembly",
            visibility=EventVisibility.MEMBERS,
        ),
    }
    assert events["hidden"].visibility == EventVisibility.MEMBERS  # whatever was chosen

    anonymous, member_client, other_client = Client(), Client(), Client()
    member_client.force_login(member)
    other_client.force_login(other)
    expected = {
        "public": (True, True, True),
        "members": (False, True, False),
        "hidden": (False, True, False),
        "network": (False, True, True),
    }
    for name, event in events.items():
        got = tuple(_seen(c, event) for c in (anonymous, member_client, other_client))
        assert got == expected[name], name

    with pytest.raises(EventError, match="Only members"):
        services.rsvp_create(event=events["members"], member=other)
    services.rsvp_create(event=events["public"], member=other)
    services.rsvp_create(event=events["network"], member=other)


def test_a_groups_event_list_is_linked_from_its_page_and_hides_a_hidden_group(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    from tests.personas import login_with_second_factor

    organiser = make_member(mfa=True)
    hidden = make_group(organiser=organiser, visibility="hidden", name="Quiet Caucus")
    make_event(organiser=organiser, group=hidden, title="Quiet meeting")
    listing = f"{reverse('events:list')}?group={hidden.slug}"
    outsider = Client()
    outsider.force_login(make_member())
    assert outsider.get(listing).status_code == 404
    assert Client().get(listing).status_code == 404

    client = Client()
    login_with_second_factor(client, organiser)
    page = client.get(reverse("groups:detail", kwargs={"slug": hidden.slug})).content.decode()
    assert f'href="{reverse("events:list")}?group={hidden.slug}"' in page
    own = client.get(listing).content.decode()
    assert "Quiet meeting" in own
    assert reverse("events:new", kwargs={"group_slug": hidden.slug}) in own
