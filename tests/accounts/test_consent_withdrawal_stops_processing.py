from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent
from rankandfile.accounts.selectors import member_has_consent, members_consenting_to
from rankandfile.accounts.services import ConsentRequiredError, consent_give, consent_withdraw
from rankandfile.groups.models import Membership
from rankandfile.groups.selectors import group_members_for_organiser, member_rows
from rankandfile.groups.services import group_join
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db
def test_withdrawing_membership_consent_ends_memberships_and_blocks_joining(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    group = make_group()
    group_join(group=group, member=member)
    client.force_login(member)

    response = client.post(
        reverse("accounts:consent_change"),
        {"purpose": "membership", "action": "withdraw", "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(member=member).exists()
    assert not member_has_consent(member, ConsentPurpose.MEMBERSHIP)
    record = Consent.objects.get(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    assert record.withdrawn_at is not None  # the record is kept as proof, marked withdrawn

    with pytest.raises(ConsentRequiredError):
        group_join(group=group, member=member)
    response = client.post(reverse("groups:join", kwargs={"slug": group.slug}), follow=True)
    assert "needs your consent" in response.content.decode()
    assert not Membership.objects.filter(member=member).exists()


@pytest.mark.django_db
def test_withdrawing_introductions_consent_hides_the_email_from_organisers(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(
        email="shy@example.org",
        consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS],
    )
    group = make_group()
    group_join(group=group, member=member)

    def email_seen() -> str | None:
        rows = member_rows(group_members_for_organiser(group))
        return next(row.email for row in rows if row.member_id == member.pk)

    assert email_seen() == "shy@example.org"
    consent_withdraw(member=member, purpose=ConsentPurpose.INTRODUCTIONS)
    assert email_seen() is None


@pytest.mark.django_db
def test_withdrawing_campaign_email_consent_removes_the_member_from_recipients(
    make_member: MakeMember,
) -> None:
    member = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    assert member in members_consenting_to(ConsentPurpose.CAMPAIGN_EMAIL)
    consent_withdraw(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)
    assert member not in members_consenting_to(ConsentPurpose.CAMPAIGN_EMAIL)
    consent_give(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)
    assert member in members_consenting_to(ConsentPurpose.CAMPAIGN_EMAIL)
    # Consent given again is a new record; the history keeps both.
    assert Consent.objects.filter(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL).count() == 2


@pytest.mark.django_db
def test_only_one_current_consent_per_purpose_is_a_database_constraint(
    make_member: MakeMember,
) -> None:
    member = make_member()
    current = Consent.objects.get(member=member, purpose=ConsentPurpose.MEMBERSHIP)
    assert consent_give(member=member, purpose=ConsentPurpose.MEMBERSHIP) == current
    with pytest.raises(IntegrityError):
        Consent.objects.create(
            member=member,
            purpose=ConsentPurpose.MEMBERSHIP,
            text_version="x",
            lawful_basis="x",
            given_at=current.given_at,
        )


@pytest.mark.django_db
def test_consent_page_shows_each_purpose_and_the_history(
    client: Client, make_member: MakeMember
) -> None:
    member = make_member()
    client.force_login(member)
    content = client.get(reverse("accounts:consents")).content.decode()
    for purpose in ConsentPurpose:
        assert purpose.label in content
    assert "Text version 2026-11-01" in content
