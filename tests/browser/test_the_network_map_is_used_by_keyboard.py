from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import serious_violations
from tests.personas import MakeGroup

FOCUS_YELLOW = "rgb(255, 221, 0)"


@pytest.mark.django_db(transaction=True)
def test_a_visitor_tabs_to_an_area_of_the_map_and_enter_opens_its_groups(
    page: Any, make_group: MakeGroup
) -> None:
    make_group(name="Bradford Nurses", districts=["BD1"])
    make_group(name="Headingley Tenants", districts=["LS6"])
    make_group(name="Hackney Left", districts=["E8"])

    page.goto("/groups/")
    page.get_by_role("link", name="See the network on a map").click()
    page.get_by_role("heading", name="The network on a map").wait_for()
    assert serious_violations(page) == []

    # The map is a named group of links, each area named by its title; an area without
    # groups is not a link.
    the_map = page.get_by_role("group", name="Map of the postcode areas of Great Britain")
    assert the_map.get_by_role("link", name="LS: Leeds, fewer than 5 groups").count() == 1
    assert the_map.get_by_role("link").count() == 3
    assert page.get_by_role("link", name="ZE: Shetland, no groups").count() == 0

    # On a 390 px phone the map scales to the page's width.
    box = page.locator(".area-map-whole svg").bounding_box()
    assert 300 < box["width"] <= 390

    # Tab from the top of the page reaches the first area of the map (Bradford), focus shown.
    bradford = page.locator('.area-map-whole svg a[href="/groups/?place=BD"]')
    for _ in range(30):
        page.keyboard.press("Tab")
        if bradford.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the map's first area")
    fill = bradford.locator("path").evaluate("path => getComputedStyle(path).fill")
    assert fill == FOCUS_YELLOW

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "E: East London, fewer than 5 groups"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/groups/?place=BD")
    assert page.locator("#results .card h3").all_inner_texts() == ["Bradford Nurses"]
