from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from rankandfile.groups.models import Membership
from rankandfile.notifications.sending import messages_deliver_due
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_signs_up_verifies_logs_in_and_joins_a_group(
    page: Any, make_group: MakeGroup
) -> None:
    group = make_group(name="Headingley Left", districts=["LS6"], visibility="public")

    page.goto("/")
    page.get_by_role("link", name="Join the network").click()
    page.get_by_role("textbox", name="Email").fill("newcomer@example.org")
    page.get_by_label("Password:", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again):").fill("a long enough passphrase")
    page.get_by_label("Display name").fill("Red Robin")
    page.get_by_label("Postcode district").fill("LS6 1AA")
    page.get_by_label("Keep my membership of the network").check()
    page.get_by_role("button", name="Sign up").click()
    # A full postcode is refused, and nothing typed is lost.
    # (once in the error summary at the top, once beside the field)
    # The page comes back after the click; wait for it rather than look at once.
    page.locator("#id_postcode_district_error").get_by_text("That is a full postcode").wait_for()
    assert page.get_by_label("Display name").input_value() == "Red Robin"
    page.get_by_label("Postcode district").fill("LS6")
    page.get_by_label("Password:", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again):").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    messages_deliver_due()  # what the worker does straight after the commit
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", str(mail.outbox[0].body))
    assert match
    page.goto(match.group(1))
    page.get_by_role("button", name="Confirm").click()

    log_in(page, "newcomer@example.org", "a long enough passphrase")

    page.goto("/groups/")
    page.get_by_label("Place").fill("LS6")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/groups/?*place=LS6*")
    page.get_by_role("link", name="Headingley Left").click()
    page.wait_for_url(f"**/groups/{group.slug}/")
    page.get_by_role("button", name="Join this group").click()
    page.get_by_text("You have joined Headingley Left.").wait_for()
    assert Membership.objects.filter(group=group, member__email="newcomer@example.org").exists()
    assert serious_violations(page) == []
