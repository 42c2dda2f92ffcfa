from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import serious_violations
from tests.personas import MakeGroup


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_finds_the_nearest_groups_is_helped_past_an_unknown_district_and_searches_a_word(
    page: Any, make_group: MakeGroup
) -> None:
    make_group(name="Manchester Renters", districts=["M1"])
    make_group(name="Bradford Nurses", districts=["BD1"])
    make_group(name="Headingley Tenants", districts=["LS6"])

    page.goto("/groups/")
    page.get_by_label("Place").fill("LS99")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    results.get_by_text("We do not know the postcode district LS99").wait_for()
    assert serious_violations(page) == []

    results.get_by_role("link", name="LS2", exact=True).click()
    page.get_by_text("nearest to LS2 first").wait_for()
    cards = page.locator("#results .card h3").all_inner_texts()
    assert cards == ["Headingley Tenants", "Bradford Nurses", "Manchester Renters"]

    page.get_by_label("Within").select_option("25 km")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("2 groups found, nearest to LS2 first").wait_for()
    assert page.locator("#results").get_by_text("km from LS2").count() == 2
    assert serious_violations(page) == []

    page.get_by_label("Words").fill("tenant")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 group found, nearest to LS2 first").wait_for()
    assert page.locator("#results .card h3").all_inner_texts() == ["Headingley Tenants"]
    assert "q=tenant" in page.url
    assert serious_violations(page) == []
