"""The "Delete my account" page: reauthentication, confirmation, the last organiser's handover,
and a freed event place going to the waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.events.models import Rsvp, RsvpStatus
from rankandfile.events.services import EventDetails, event_create, rsvp_create
from rankandfile.groups.models import Membership, Role
from rankandfile.groups.services import membership_set_role
from rankandfile.notifications.models import Message
from rankandfile.privacy.erasure import LastOrganiserError, account_erase
from tests.personas import (
    MakeGroup,
    MakeMember,
    login_with_second_factor,
    reauthenticate_with_an_email_code,
)


@pytest.mark.django_db
def test_deleting_my_account_asks_who_i_am_then_to_confirm_then_erases_and_logs_out(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    Membership.objects.create(group=make_group(), member=member)
    client = Client()
    client.force_login(member)
    url = reverse("privacy:account_delete")
    assert reverse("privacy:account_delete") in client.get(reverse("home")).content.decode()

    detour = client.get(url)
    assert detour.status_code == 302 and "reauthenticate" in detour["Location"]
    reauthenticate_with_an_email_code(client, member)
    page = client.get(url)
    assert page.status_code == 200 and b"Delete my account" in page.content

    unconfirmed = client.post(url, {"contributions": "delete"})
    assert unconfirmed.status_code == 200
    assert b"Tick the box to confirm" in unconfirmed.content
    assert b'value="delete" required id="id_contributions_1" checked' in unconfirmed.content
    assert User.objects.filter(pk=member.pk).exists()

    done = client.post(url, {"contributions": "keep", "understood": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("privacy:account_deleted")
    assert not User.objects.filter(pk=member.pk).exists()
    farewell = client.get(done["Location"])
    assert b"Your account has been deleted" in farewell.content
    assert b"Delete my account" not in farewell.content  # logged out: no account menu


@pytest.mark.django_db
def test_the_last_organiser_of_a_group_is_asked_to_hand_over_first(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, name="Leeds tenants")
    client = Client()
    login_with_second_factor(client, organiser)
    reauthenticate_with_an_email_code(client, organiser)
    url = reverse("privacy:account_delete")

    page = client.get(url)
    assert page.status_code == 200
    assert b"Hand over first" in page.content
    assert reverse("groups:manage", args=[group.slug]).encode() in page.content
    refused = client.post(url, {"contributions": "keep", "understood": "on"})
    assert b"You are the only organiser of Leeds tenants" in refused.content
    with pytest.raises(LastOrganiserError):
        account_erase(member=organiser, delete_contributions=False)
    assert User.objects.filter(pk=organiser.pk).exists()

    successor = make_member()
    Membership.objects.create(group=group, member=successor)
    membership_set_role(group=group, member=successor, role=Role.ORGANISER)
    account_erase(member=organiser, delete_contributions=False)
    assert not User.objects.filter(pk=organiser.pk).exists()
    assert list(Membership.objects.filter(group=group).values_list("member", "role")) == [
        (successor.pk, Role.ORGANISER)
    ]


@pytest.mark.django_db
def test_a_deleted_members_event_place_goes_to_the_member_waiting_longest(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member, first, second = make_member(), make_member(), make_member()
    for person in (member, first, second):
        Membership.objects.create(group=group, member=person)
    starts = timezone.now() + timedelta(days=3)
    event = event_create(
        organiser=organiser,
        group=group,
        details=EventDetails(
            title="Branch meeting",
            description="Plans.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            in_person=True,
            district="LS6",
            venue="The hall",
            online=False,
            meeting_url="",
            capacity=1,
        ),
    )
    for person in (member, first, second):
        rsvp_create(event=event, member=person)

    account_erase(member=member, delete_contributions=False)

    assert dict(Rsvp.objects.filter(event=event).values_list("member", "status")) == {
        first.pk: RsvpStatus.PLACE,
        second.pk: RsvpStatus.WAITING,
    }
    assert Message.objects.filter(recipient=first, template="event_place_given").count() == 1
