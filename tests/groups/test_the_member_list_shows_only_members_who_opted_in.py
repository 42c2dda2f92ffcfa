"""A member chooses, per group, to be on the group's member list (display name, skills,
interests); nobody is listed by default. Only the group's members see the list. Leaving the group
or withdrawing consent to membership takes the member off it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import IssueTag, Skill, User
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.services import (
    group_join,
    member_consent_withdraw,
    membership_leave,
    membership_listing_set,
)
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def _client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _members_url(group: Group) -> str:
    return reverse("groups:members", kwargs={"slug": group.slug})


def test_nobody_is_listed_until_they_choose_and_the_list_shows_only_those_who_did(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(name="Leeds Tenants")
    first_aid = Skill.objects.create(slug="first-aid-test", name="First aid (test)")
    housing = IssueTag.objects.create(slug="housing-test", name="Housing (test)")
    listed = make_member(display_name="Rosa Listed")
    listed.skills.add(first_aid)
    listed.interests.add(housing)
    unlisted = make_member(display_name="Quiet Unlisted")
    for member in (listed, unlisted):
        group_join(group=group, member=member)
    assert not Membership.objects.filter(listed=True).exists()

    client = _client(listed)
    page = client.get(_members_url(group)).content.decode()
    assert "No member has chosen to be listed yet." in page
    assert "Rosa Listed" not in page.split("<h1>")[1].split("Your choice")[1]

    response = client.post(
        reverse("groups:listing", kwargs={"slug": group.slug}), {"listed": "yes"}, follow=True
    )
    assert "You are on the member list of Leeds Tenants" in response.content.decode()

    page = _client(unlisted).get(_members_url(group)).content.decode()
    assert "1 member listed" in page
    assert "Rosa Listed" in page and "First aid (test)" in page and "Housing (test)" in page
    assert "Quiet Unlisted" not in page.split("member listed")[1]
    assert listed.email not in page  # a name, skills and interests: never an address


def test_only_members_of_the_group_see_its_member_list(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    public = make_group(visibility="public")
    hidden = make_group(visibility="hidden")
    for group in (public, hidden):
        member = make_member(display_name="Listed Person")
        Membership.objects.create(group=group, member=member, listed=True)
    outsider = _client(make_member())
    assert outsider.get(_members_url(public)).status_code == 403
    assert outsider.get(_members_url(hidden)).status_code == 404
    anonymous = Client().get(_members_url(public))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # Nor may an outsider put themselves on it.
    listing = reverse("groups:listing", kwargs={"slug": public.slug})
    assert outsider.post(listing, {"listed": "yes"}).status_code == 403


def test_leaving_the_group_or_withdrawing_membership_consent_ends_the_listing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    leaver = make_member()
    withdrawer = make_member()
    for member in (leaver, withdrawer):
        group_join(group=group, member=member)
        membership_listing_set(group=group, member=member, listed=True)
    assert Membership.objects.filter(group=group, listed=True).count() == 2

    membership_leave(group=group, member=leaver)
    member_consent_withdraw(member=withdrawer, purpose=ConsentPurpose.MEMBERSHIP)
    assert not Membership.objects.filter(group=group, listed=True).exists()

    # Joining again starts unlisted.
    group_join(group=group, member=leaver)
    assert Membership.objects.get(group=group, member=leaver).listed is False


def test_a_member_takes_themselves_off_the_list_from_the_group_page(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    member = make_member()
    group_join(group=group, member=member)
    membership_listing_set(group=group, member=member, listed=True)
    client = _client(member)
    assert "Take me off the member list" in client.get(group.get_absolute_url()).content.decode()
    response = client.post(
        reverse("groups:listing", kwargs={"slug": group.slug}), {"listed": "no", "from": "group"}
    )
    assert response["Location"] == group.get_absolute_url()
    assert Membership.objects.get(group=group, member=member).listed is False
    nonsense = client.post(
        reverse("groups:listing", kwargs={"slug": group.slug}), {"listed": "maybe"}, follow=True
    )
    assert "That choice was not understood; nothing was changed." in nonsense.content.decode()


def test_the_member_list_answers_in_a_fixed_number_of_queries(
    make_member: MakeMember,
    make_group: MakeGroup,
    django_assert_max_num_queries: object,
) -> None:
    group = make_group()
    skills = [Skill.objects.create(slug=f"skill-{n}", name=f"Skill {n}") for n in range(4)]
    tags = [IssueTag.objects.create(slug=f"issue-{n}", name=f"Issue {n}") for n in range(4)]
    members = []
    for n in range(60):
        member = make_member(display_name=f"Listed {n:02d}")
        member.skills.add(*skills[: n % 4 + 1])
        member.interests.add(*tags[: n % 3 + 1])
        Membership.objects.create(group=group, member=member, listed=n % 3 != 0)
        members.append(member)
    viewer = members[0]
    client = _client(viewer)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        page = client.get(_members_url(group)).content.decode()
    assert "40 members listed" in page
    assert "Listed 01" in page and "Skill 3" in page and "Issue 2" in page
