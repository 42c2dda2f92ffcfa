"""A hidden group's (or a draft campaign's) name does not leak: not through the slug a later
group or campaign of the same name gets, nor through an invitation link in the wrong hands."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import Campaign
from rankandfile.campaigns.services import campaign_create
from rankandfile.groups.models import Membership
from rankandfile.groups.services import GroupDetails, group_update
from rankandfile.notifications.services import invitation_create
from tests.personas import MakeGroup, MakeMember, stage_inputs

RANDOM_SUFFIX = re.compile(r"-[a-z0-9]{6}$")


@pytest.mark.django_db
def test_a_new_group_named_like_a_hidden_one_gets_the_plain_slug(
    make_group: MakeGroup,
) -> None:
    hidden = make_group(visibility="hidden", name="Disabled Members Network")
    assert hidden.slug.startswith("disabled-members-network-")
    assert RANDOM_SUFFIX.search(hidden.slug)

    public = make_group(visibility="public", name="Disabled Members Network")
    assert public.slug == "disabled-members-network"


@pytest.mark.django_db
def test_slugs_taken_by_visible_groups_get_a_random_suffix_not_a_count(
    make_group: MakeGroup,
) -> None:
    first = make_group(visibility="public", name="Leeds Branch")
    second = make_group(visibility="listed", name="Leeds Branch")
    third = make_group(visibility="public", name="Leeds Branch")
    assert first.slug == "leeds-branch"
    assert RANDOM_SUFFIX.search(second.slug) and RANDOM_SUFFIX.search(third.slug)
    assert len({first.slug, second.slug, third.slug}) == 3
    assert not second.slug.endswith("-2") and not third.slug.endswith("-3")


@pytest.mark.django_db
def test_a_group_made_hidden_gives_up_its_plain_slug(make_group: MakeGroup) -> None:
    group = make_group(visibility="public", name="Quiet Caucus")
    assert group.slug == "quiet-caucus"
    group_update(
        group=group,
        details=GroupDetails(
            name=group.name,
            kind=group.kind,
            description=group.description,
            visibility="hidden",
            districts=[],
            issues=[],
        ),
    )
    group.refresh_from_db()
    assert RANDOM_SUFFIX.search(group.slug)
    assert make_group(visibility="public", name="Quiet Caucus").slug == "quiet-caucus"


@pytest.mark.django_db
def test_a_draft_campaign_does_not_take_the_plain_slug_of_its_title(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)

    def draft() -> Campaign:
        return campaign_create(
            organiser=organiser,
            group=group,
            title="Secret Plan",
            target="the executive",
            explanation="Not yet public.",
            demands=["A demand"],
            stages=stage_inputs(),
        )

    first, second = draft(), draft()
    for campaign in (first, second):
        assert campaign.slug.startswith("secret-plan-") and RANDOM_SUFFIX.search(campaign.slug)
    assert first.slug != second.slug


def _invitation_link(token: str) -> str:
    return reverse("groups:invitation_accept", kwargs={"token": token})


@pytest.mark.django_db
def test_only_the_invited_address_sees_the_group_behind_an_invitation(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser, name="Quiet Caucus")
    token = invitation_create(group=group, organiser=organiser, email="Invitee@Example.org")
    link = _invitation_link(token)

    stranger = Client()
    stranger.force_login(make_member(email="stranger@example.org"))
    for response in (stranger.get(link), stranger.post(link)):
        assert response.status_code == 403
        page = response.content.decode()
        assert "Quiet Caucus" not in page and "A group for tests." not in page
    assert not Membership.objects.filter(group=group, member__email="stranger@example.org")

    invitee = Client()
    invitee.force_login(make_member(email="invitee@example.org"))
    assert "Quiet Caucus" in invitee.get(link).content.decode()


@pytest.mark.django_db
def test_an_unverified_address_does_not_open_the_invitation(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(visibility="hidden", organiser=organiser, name="Quiet Caucus")
    token = invitation_create(group=group, organiser=organiser, email="invitee@example.org")
    member: User = make_member(email="invitee@example.org")
    EmailAddress.objects.filter(user=member).update(verified=False)
    client = Client()
    client.force_login(member)

    response = client.get(_invitation_link(token))
    assert response.status_code == 403
    assert "Quiet Caucus" not in response.content.decode()
    assert client.post(_invitation_link(token)).status_code == 403
    assert not Membership.objects.filter(group=group, member=member).exists()
