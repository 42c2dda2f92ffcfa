"""On a phone, a member who ticks the option that needs an amount and leaves the amount empty
gets the page back with every tick and typed value kept, and focus on the error summary."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.campaigns.models import Pledge
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeCampaign, MakeMember

AMOUNT = "Claim back my subscriptions: the amount, in pounds (£)"


@pytest.mark.django_db(transaction=True)
def test_a_pledge_with_a_missing_amount_comes_back_with_the_ticks_and_the_summary_focused(
    page: Any, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    make_member(email="pledger@example.org")
    log_in(page, "pledger@example.org")
    page.goto(campaign.get_absolute_url())

    amount = page.get_by_label(AMOUNT)
    assert not amount.is_visible()  # shown only with the option that asks it
    page.get_by_label("Cancel my direct debit").check()
    page.get_by_label("Claim back my subscriptions", exact=True).check()
    assert amount.is_visible()
    page.get_by_role("button", name="Pledge", exact=True).click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "Enter the amount in pounds for “Claim back my subscriptions”" in summary.inner_text()
    assert page.get_by_label("Cancel my direct debit").is_checked()
    assert page.get_by_label("Claim back my subscriptions", exact=True).is_checked()
    assert amount.is_visible()
    assert page.locator(".errors #id_amount_error").is_visible()  # the message beside the field
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []

    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_amount"
    amount.fill("96")
    page.get_by_role("button", name="Pledge", exact=True).click()
    page.get_by_text("Your pledge is saved").wait_for()
    pledge = Pledge.objects.get(member__email="pledger@example.org")
    assert pledge.amount_pence == 9600
    assert sorted(o.key for o in pledge.options.all()) == ["claim-back", "stop-dues"]
