"""The member's account actions that cannot be undone ask first, on a page that says what will
happen; an action address opened directly goes to the page with its form; and the forms of the
profile, consents and email-preferences pages come back with the error summary and the values
typed.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import ApiToken, TokenScope, User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import api_token_create
from rankandfile.groups.models import Membership
from rankandfile.groups.services import group_join
from tests.personas import (
    MakeGroup,
    MakeMember,
    login_with_second_factor,
    reauthenticate_with_an_email_code,
)

pytestmark = pytest.mark.django_db


def _client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def _confirm_form(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation page's form, which "confirm" posts."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _error_summary(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


# Asking first ----------------------------------------------------------------------------------


def test_revoking_an_api_token_asks_first_and_says_programs_using_it_stop(
    make_member: MakeMember,
) -> None:
    member = make_member()
    api_token, _ = api_token_create(member=member, name="Branch phone", scope=TokenScope.READ)
    client = _client(member)
    revoke = reverse("accounts:api_token_revoke")

    asked = client.post(revoke, {"revoke": api_token.pk})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "<h1>Revoke the API token “Branch phone”?</h1>" in page
    assert "stops working at once" in page
    assert f'action="{revoke}"' in page and f'href="{reverse("accounts:profile")}"' in page
    assert ApiToken.objects.filter(pk=api_token.pk).exists(), "asking revokes nothing"

    done = client.post(revoke, _confirm_form(page))
    assert done.status_code == 302 and done["Location"] == reverse("accounts:profile")
    assert not ApiToken.objects.filter(pk=api_token.pk).exists()
    assert "has been revoked" in client.get(reverse("accounts:profile")).content.decode()


def test_another_members_token_is_neither_offered_for_revoking_nor_revoked(
    make_member: MakeMember,
) -> None:
    owner, other = make_member(), make_member()
    api_token, _ = api_token_create(member=owner, name="Mine", scope=TokenScope.READ)
    client = _client(other)
    for data in ({"revoke": api_token.pk}, {"revoke": api_token.pk, "confirmed": "yes"}):
        response = client.post(reverse("accounts:api_token_revoke"), data)
        assert response.status_code == 302
        assert "Mine" not in client.get(response["Location"]).content.decode()
    assert ApiToken.objects.filter(pk=api_token.pk).exists()


def test_withdrawing_membership_consent_asks_first_and_lists_the_groups_it_leaves(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    groups = [make_group(name="Leeds Tenants"), make_group(name="York Renters")]
    for group in groups:
        group_join(group=group, member=member)
    client = _client(member)
    change = reverse("accounts:consent_change")

    asked = client.post(change, {"purpose": "membership", "action": "withdraw"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Withdraw your consent to membership of the network?" in page
    assert "Every membership of yours ends at once: you leave Leeds Tenants and York Renters." in (
        page
    )
    assert Membership.objects.filter(member=member).count() == 2, "asking ends nothing"
    assert member_has_consent(member, ConsentPurpose.MEMBERSHIP)

    done = client.post(change, _confirm_form(page))
    assert done.status_code == 302 and done["Location"] == reverse("accounts:consents")
    assert not Membership.objects.filter(member=member).exists()
    assert not member_has_consent(member, ConsentPurpose.MEMBERSHIP)


def test_withdrawing_campaign_email_asks_first_and_giving_a_consent_does_not(
    make_member: MakeMember,
) -> None:
    member = make_member(consents=[ConsentPurpose.MEMBERSHIP, ConsentPurpose.CAMPAIGN_EMAIL])
    client = _client(member)
    change = reverse("accounts:consent_change")

    asked = client.post(change, {"purpose": "campaign_email", "action": "withdraw"})
    assert "no more campaign updates or digests" in asked.content.decode()
    assert member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL)
    client.post(change, _confirm_form(asked.content.decode()))
    assert not member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL)

    given = client.post(change, {"purpose": "introductions", "action": "give"})
    assert given.status_code == 302
    assert member_has_consent(member, ConsentPurpose.INTRODUCTIONS)


# GET on an action address ----------------------------------------------------------------------


def test_opening_an_account_or_group_action_address_goes_to_the_page_with_its_form(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(group=group, member=member)
    member_client = _client(member)
    organiser_client = Client()
    login_with_second_factor(organiser_client, organiser)
    group_page = reverse("groups:detail", kwargs={"slug": group.slug})

    expected = {
        reverse("accounts:api_token_create"): reverse("accounts:profile"),
        reverse("accounts:api_token_revoke"): reverse("accounts:profile"),
        reverse("accounts:consent_change"): reverse("accounts:consents"),
        reverse("groups:join", kwargs={"slug": group.slug}): group_page,
        reverse("groups:leave", kwargs={"slug": group.slug}): group_page,
    }
    for action, form_page in expected.items():
        response = member_client.get(action)
        assert (response.status_code, response["Location"]) == (302, form_page), action
        assert member_client.get(form_page).status_code == 200
    manage = reverse("groups:manage", kwargs={"slug": group.slug})
    for action in (
        reverse("groups:invite", kwargs={"slug": group.slug}),
        reverse("campaigns:vouch", kwargs={"group_slug": group.slug, "member_id": member.pk}),
    ):
        response = organiser_client.get(action)
        assert (response.status_code, response["Location"]) == (302, manage), action
    assert organiser_client.get(manage).status_code == 200
    assert Membership.objects.filter(member=member, group=group).exists(), "a GET never acts"


# Errors keep what was typed --------------------------------------------------------------------


def test_a_profile_with_errors_comes_back_with_the_summary_and_the_values_typed(
    make_member: MakeMember,
) -> None:
    member = make_member(display_name="Before")
    response = _client(member).post(
        reverse("accounts:profile"), {"display_name": "Red Robin", "postcode_district": "ZZZ"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_postcode_district"' in _error_summary(page)
    assert 'value="Red Robin"' in page and 'value="ZZZ"' in page
    member.refresh_from_db()
    assert member.display_name == "Before", "nothing is saved"


def test_an_api_token_without_a_name_comes_back_with_the_summary_on_the_profile(
    make_member: MakeMember,
) -> None:
    member = make_member()
    client = _client(member)
    reauthenticate_with_an_email_code(client, member)
    response = client.post(
        reverse("accounts:api_token_create"), {"name": "", "scope": "read_write"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your profile</h1>" in page
    assert 'href="#token-name"' in _error_summary(page)
    assert 'id="token-name"' in page
    assert re.search(r'<input[^>]*value="read_write"[^>]*checked', page), "the scope chosen is kept"
    assert not ApiToken.objects.filter(member=member).exists()


def test_a_consent_or_preference_change_not_understood_says_so_in_the_summary(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    other_group = make_group()
    client = _client(member)

    consents = client.post(
        reverse("accounts:consent_change"), {"purpose": "everything", "action": "withdraw"}
    )
    assert consents.status_code == 200
    assert "<h1>Consent settings</h1>" in consents.content.decode()
    assert "That consent change was not understood" in _error_summary(consents.content.decode())
    assert member_has_consent(member, ConsentPurpose.MEMBERSHIP)

    preferences = client.post(
        reverse("notifications:preferences"), {"group": other_group.pk, "frequency": "daily"}
    )
    assert preferences.status_code == 200
    assert "That choice was not understood" in _error_summary(preferences.content.decode())
