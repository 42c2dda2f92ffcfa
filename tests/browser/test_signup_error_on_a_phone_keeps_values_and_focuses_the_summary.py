"""On a phone, a sign-up with a mistake comes back with everything typed still there (the
passwords too) and the GOV.UK error summary focused and in view, not 1,600 px below the top."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import serious_violations


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_error_on_a_phone_keeps_the_values_and_focuses_the_summary(page: Any) -> None:
    assert page.viewport_size["width"] == 390
    page.goto("/accounts/signup/")
    page.get_by_role("textbox", name="Email").fill("newcomer@example.org")
    page.get_by_label("Display name").fill("Red Robin")
    page.get_by_label("Postcode district").fill("LS6")
    page.get_by_label("Password:", exact=True).fill("short")
    page.get_by_label("Password (again):").fill("shorter")
    page.get_by_label("Keep my membership of the network").check()
    page.get_by_role("button", name="Sign up").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    box = summary.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + 40 <= 844, box
    assert "There is a problem" in summary.inner_text()

    # Every value is still there, the passwords too.
    assert page.get_by_role("textbox", name="Email").input_value() == "newcomer@example.org"
    assert page.get_by_label("Display name").input_value() == "Red Robin"
    assert page.get_by_label("Postcode district").input_value() == "LS6"
    assert page.get_by_label("Password:", exact=True).input_value() == "short"
    assert page.get_by_label("Password (again):").input_value() == "shorter"
    assert page.get_by_label("Keep my membership of the network").is_checked()

    # The summary links to the field; the page does not scroll sideways.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") in {"password1", "password2"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []
