from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import JoinRequest, Membership, Role
from rankandfile.notifications.sending import messages_deliver_due
from tests.personas import CaptureCallbacks, MakeGroup, MakeMember, login_with_second_factor


def _detail(slug: str) -> str:
    return reverse("groups:detail", kwargs={"slug": slug})


@pytest.mark.django_db
def test_a_public_group_is_listed_visible_and_joined_at_once(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(visibility="public", name="Open Branch")
    assert "Open Branch" in client.get(reverse("groups:list")).content.decode()
    assert client.get(_detail(group.slug)).status_code == 200
    member = make_member()
    client.force_login(member)
    client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    assert Membership.objects.filter(group=group, member=member, role=Role.MEMBER).exists()


@pytest.mark.django_db
def test_a_listed_group_takes_a_request_that_an_organiser_approves(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="listed", organiser=organiser, name="Listed Caucus")
    member = make_member(display_name="Hopeful")
    member_client, organiser_client = Client(), Client()
    member_client.force_login(member)
    login_with_second_factor(organiser_client, organiser)

    assert "Listed Caucus" in member_client.get(reverse("groups:list")).content.decode()
    member_client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    assert not Membership.objects.filter(group=group, member=member).exists()
    join_request = JoinRequest.objects.get(group=group, member=member, status="pending")
    # Asking twice keeps one pending request.
    member_client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    assert JoinRequest.objects.filter(group=group, member=member).count() == 1

    requests = organiser_client.get(reverse("groups:requests", kwargs={"slug": group.slug}))
    assert "Hopeful" in requests.content.decode()
    organiser_client.post(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": join_request.pk, "decision": "approve"},
    )
    assert Membership.objects.filter(group=group, member=member, role=Role.MEMBER).exists()
    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.decided_by == organiser


@pytest.mark.django_db
def test_a_declined_request_adds_no_membership(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="listed", organiser=organiser)
    member = make_member()
    member_client, organiser_client = Client(), Client()
    member_client.force_login(member)
    login_with_second_factor(organiser_client, organiser)
    member_client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    join_request = JoinRequest.objects.get(group=group, member=member)
    organiser_client.post(
        reverse("groups:decide_request", kwargs={"slug": group.slug}),
        {"request_id": join_request.pk, "decision": "decline"},
    )
    assert not Membership.objects.filter(group=group, member=member).exists()


@pytest.mark.django_db
def test_a_hidden_group_is_invisible_and_joined_only_by_invitation(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser, name="Quiet Caucus")
    invitee = make_member(email="invitee@example.org")
    stranger = make_member(email="stranger@example.org")
    anonymous, invitee_client, stranger_client = Client(), Client(), Client()
    invitee_client.force_login(invitee)
    stranger_client.force_login(stranger)

    for client in (anonymous, stranger_client):
        assert "Quiet Caucus" not in client.get(reverse("groups:list")).content.decode()
        assert client.get(_detail(group.slug)).status_code == 404
    stranger_client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    assert not Membership.objects.filter(group=group, member=stranger).exists()

    organiser_client = Client()
    login_with_second_factor(organiser_client, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            reverse("groups:invite", kwargs={"slug": group.slug}),
            {"email": "Invitee@example.org"},
        )
    messages_deliver_due()  # what the worker does straight after the commit
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Invitee@example.org"]
    match = re.search(r"(/groups/invitations/[^/\s]+/)", str(mail.outbox[0].body))
    assert match
    link = match.group(1)

    # The link works only for the invited address, and shows nobody else the group.
    assert stranger_client.post(link).status_code == 403
    assert not Membership.objects.filter(group=group, member=stranger).exists()

    assert invitee_client.get(link).status_code == 200
    invitee_client.post(link)
    assert Membership.objects.filter(group=group, member=invitee).exists()
    assert invitee_client.get(_detail(group.slug)).status_code == 200
    assert "Quiet Caucus" in invitee_client.get(reverse("groups:list")).content.decode()
    # ...and only once.
    assert invitee_client.get(link).status_code == 404
