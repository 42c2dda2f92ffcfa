"""Groups and members back campaigns and stop; the counts are exact; the rules hold in the
database as well as in the services; organisers' decisions are audited, members' are not."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.services import ConsentRequiredError, consent_give
from rankandfile.audit.models import AuditEntry
from rankandfile.campaigns.backing_selectors import (
    backing_counts,
    backing_of_member,
    backing_summary,
)
from rankandfile.campaigns.backings import (
    BackingError,
    backing_group_create,
    backing_group_withdraw,
    backing_member_set,
    backing_member_stop,
)
from rankandfile.campaigns.models import Backing
from rankandfile.groups.models import Membership, Role
from rankandfile.groups.services import member_consent_withdraw
from tests.backing.conftest import MakeCampaignGroup
from tests.personas import MakeCampaign, MakeGroup, MakeMember


@pytest.mark.django_db
def test_members_back_a_campaign_group_and_stop_and_the_count_is_exact(
    make_member: MakeMember, make_campaign_group: MakeCampaignGroup
) -> None:
    target = make_campaign_group(name="End Zero Hours")
    members = [make_member() for _ in range(7)]
    for n, member in enumerate(members):
        backing, new = backing_member_set(target=target, member=member, show_name=n < 2)
        assert new and backing.target_group == target
    assert backing_summary(target).members == 7
    # Backing again changes the name choice, not the count.
    _, new = backing_member_set(target=target, member=members[0], show_name=False)
    assert not new
    summary = backing_summary(target)
    assert summary.members == 7 and summary.members_named == [members[1].display_name]
    assert backing_member_stop(target=target, member=members[3])
    assert not backing_member_stop(target=target, member=members[3])
    assert backing_summary(target).members == 6
    assert backing_counts()[1][target.pk].members == 6


@pytest.mark.django_db
def test_groups_back_a_pressure_campaign_and_withdraw_audited(
    make_member: MakeMember, make_group: MakeGroup, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    organiser = make_member(mfa=True)
    branch = make_group(name="Leeds Branch", organiser=organiser)
    backing = backing_group_create(target=campaign, group=branch, organiser=organiser)
    assert backing.campaign == campaign and backing.backing_group == branch
    again = backing_group_create(target=campaign, group=branch, organiser=organiser)
    assert again.pk == backing.pk  # once per backer and target
    assert backing_summary(campaign).groups_named == [branch]
    assert backing_group_withdraw(target=campaign, group=branch, organiser=organiser)
    assert backing_summary(campaign).groups == 0
    entries = list(
        AuditEntry.objects.filter(
            target_type="campaign", target_id=str(campaign.pk), action__startswith="backing."
        )
        .order_by("pk")
        .values_list("action", "actor_id", "details")
    )
    assert entries == [
        ("backing.group_backed", organiser.pk, {"backing_group_id": branch.pk}),
        ("backing.group_withdrawn", organiser.pk, {"backing_group_id": branch.pk}),
    ]


@pytest.mark.django_db
def test_only_an_organiser_of_the_backing_group_decides(
    make_member: MakeMember, make_group: MakeGroup, make_campaign_group: MakeCampaignGroup
) -> None:
    target = make_campaign_group()
    branch = make_group()
    member = make_member()
    Membership.objects.create(group=branch, member=member, role=Role.MEMBER)
    with pytest.raises(BackingError, match="organisers"):
        backing_group_create(target=target, group=branch, organiser=member)
    organiser = branch.memberships.get(role=Role.ORGANISER).member
    backing_group_create(target=target, group=branch, organiser=organiser)
    with pytest.raises(BackingError, match="organisers"):
        backing_group_withdraw(target=target, group=branch, organiser=member)
    assert backing_summary(target).groups == 1
    assert not AuditEntry.objects.filter(actor_id=member.pk).exists()


@pytest.mark.django_db
def test_a_group_cannot_back_itself_nor_its_own_campaign(
    make_member: MakeMember, make_campaign_group: MakeCampaignGroup, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    target = make_campaign_group(organiser=organiser)
    with pytest.raises(BackingError, match="cannot back itself"):
        backing_group_create(target=target, group=target, organiser=organiser)
    campaign = make_campaign(organiser=organiser)
    with pytest.raises(BackingError, match="its own campaign"):
        backing_group_create(target=campaign, group=campaign.group, organiser=organiser)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Backing.objects.create(target_group=target, backing_group=target)
    assert not Backing.objects.exists()


@pytest.mark.django_db
def test_the_database_holds_one_target_one_backer_and_one_backing_each(
    make_member: MakeMember, make_campaign_group: MakeCampaignGroup, make_campaign: MakeCampaign
) -> None:
    target, campaign, member = make_campaign_group(), make_campaign(), make_member()
    other = make_campaign_group()
    refused = [
        {"member": member},  # no target
        {"target_group": target},  # no backer
        {"target_group": target, "campaign": campaign, "member": member},  # two targets
        {"target_group": target, "backing_group": other, "member": member},  # two backers
        {"target_group": target, "backing_group": other, "show_name": True},  # a group's name
    ]
    for fields in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            Backing.objects.create(**fields)
    for fields in (
        {"target_group": target, "member": member},
        {"campaign": campaign, "member": member},
        {"target_group": target, "backing_group": other},
        {"campaign": campaign, "backing_group": other},
    ):
        Backing.objects.create(**fields)
        with pytest.raises(IntegrityError), transaction.atomic():
            Backing.objects.create(**fields)
    assert Backing.objects.count() == 4


@pytest.mark.django_db
def test_backing_needs_the_membership_consent_and_withdrawing_it_stops_the_count(
    make_member: MakeMember, make_campaign_group: MakeCampaignGroup
) -> None:
    target = make_campaign_group()
    without = make_member()
    member_consent_withdraw(member=without, purpose=ConsentPurpose.MEMBERSHIP)
    with pytest.raises(ConsentRequiredError):
        backing_member_set(target=target, member=without, show_name=True)
    member = make_member()
    backing_member_set(target=target, member=member, show_name=True)
    assert backing_summary(target).members_named == [member.display_name]

    member_consent_withdraw(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    summary = backing_summary(target)
    assert (summary.members, summary.members_named) == (0, [])
    assert backing_of_member(target=target, member=member) is None
    # Consenting again does not bring the old backing back: the member backs anew.
    consent_give(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    assert backing_summary(target).members == 0
    backing_member_set(target=target, member=member, show_name=False)
    summary = backing_summary(target)
    assert (summary.members, summary.members_named) == (1, [])


@pytest.mark.django_db
def test_hidden_campaign_groups_other_kinds_and_closed_campaigns_take_no_backers(
    make_member: MakeMember, make_group: MakeGroup, make_campaign_group: MakeCampaignGroup
) -> None:
    member = make_member()
    for target in (make_campaign_group(visibility="hidden"), make_group(kind="union_branch")):
        with pytest.raises(BackingError):
            backing_member_set(target=target, member=member, show_name=False)
    assert not Backing.objects.exists()
