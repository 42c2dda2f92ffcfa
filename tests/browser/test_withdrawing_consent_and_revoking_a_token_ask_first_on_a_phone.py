"""On a phone, "Withdraw consent" and "Revoke" open a page that says what will happen (for the
membership consent, which groups the member leaves) and act only when confirmed; the page fits
390 px and has no serious accessibility violations."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rankandfile.accounts.models import ApiToken, TokenScope
from rankandfile.accounts.services import api_token_create
from rankandfile.groups.models import Membership
from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db(transaction=True)
# The button says "Withdraw consent", and to a screen reader which one.
WITHDRAW_MEMBERSHIP = re.compile(r"^Withdraw consent\s*: Membership of the network$")


def _fits_a_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not serious_violations(page)


def test_withdrawing_membership_consent_names_the_groups_and_acts_only_when_confirmed(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(email="leaver@example.org")
    for name in ("Leeds Tenants Union", "York Renters"):
        group_join(group=make_group(name=name), member=member)
    log_in(page, member.email)

    page.goto("/me/consents/")
    page.get_by_role("button", name=WITHDRAW_MEMBERSHIP).click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Withdraw your consent to membership of the network?"
    text = page.locator("main").inner_text()
    assert "you leave Leeds Tenants Union and York Renters" in text
    _fits_a_phone(page)
    assert Membership.objects.filter(member=member).count() == 2

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/me/consents/")
    assert Membership.objects.filter(member=member).count() == 2

    page.get_by_role("button", name=WITHDRAW_MEMBERSHIP).click()
    page.get_by_role("button", name="Withdraw consent").click()
    page.wait_for_url("**/me/consents/")
    assert "Your group memberships have ended" in page.locator("main").inner_text()
    assert not Membership.objects.filter(member=member).exists()


def test_revoking_an_api_token_asks_first_on_its_own_page(
    page: Any, make_member: MakeMember
) -> None:
    member = make_member(email="coder@example.org")
    api_token, _ = api_token_create(member=member, name="Branch phone", scope=TokenScope.READ)
    log_in(page, member.email)

    page.goto("/me/")
    page.get_by_role("button", name="Revoke Branch phone").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Revoke the API token “Branch phone”?"
    )
    _fits_a_phone(page)
    assert ApiToken.objects.filter(pk=api_token.pk).exists()

    page.get_by_role("button", name="Revoke the token").click()
    page.wait_for_url("**/me/")
    assert not ApiToken.objects.filter(pk=api_token.pk).exists()
