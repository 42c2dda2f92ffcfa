"""An organiser with 31 members uses the member table on a 390 px phone: the page never scrolls
sideways, vouching is explained where it is offered, a search narrows the table, and a row's
"Manage" disclosure holds its actions."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True)
def test_the_member_table_works_on_a_phone(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True, display_name="Olwen")
    group = make_group(organiser=organiser, name="Leeds Tenants Union Branch")
    for n in range(30):
        member = make_member(
            email=f"a.rather.long.address.for.member.{n}@example.org",
            display_name=f"Member with a longish name {n:02d}",
            # They share their (long) addresses, which the table shows and must wrap.
            consents=(ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS),
        )
        group_join(group=group, member=member)
    group_join(group=group, member=make_member(display_name="Zelda Quinn"))

    log_in_with_second_factor(page, "organiser@example.org")
    page.goto(f"/groups/{group.slug}/manage/")
    assert page.viewport_size["width"] == 390
    page.get_by_role("heading", name="Organise Leeds Tenants Union Branch").wait_for()
    assert _no_sideways_scroll(page)
    assert page.locator("table.member-table tbody tr").count() == 32
    assert page.get_by_text("a.rather.long.address.for.member.7@example.org").is_visible()

    explanation = page.get_by_text("To vouch for a member is to say that you know them")
    explanation.scroll_into_view_if_needed()
    assert explanation.is_visible()

    # A row's actions are folded into one "Manage" disclosure; opened, they fit the phone.
    zelda = page.locator("table.member-table tbody tr", has_text="Zelda Quinn")
    zelda.get_by_text("Manage").click()
    vouch = zelda.get_by_role("button", name="Vouch for Zelda Quinn")
    assert vouch.is_visible()
    assert zelda.get_by_text("Vouch only if you know Zelda Quinn is a real person").is_visible()
    assert _no_sideways_scroll(page)

    page.get_by_label("Name or email").fill("zelda")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/manage/?text=zelda*")
    rows = page.locator("table.member-table tbody tr")
    assert rows.count() == 1
    assert "Zelda Quinn" in rows.first.inner_text()
    assert page.get_by_text("1 member matches your search.").is_visible()
    assert _no_sideways_scroll(page)

    # Vouching from the filtered table comes back to the same search.
    rows.first.get_by_text("Manage").click()
    rows.first.get_by_role("button", name="Vouch for Zelda Quinn").click()
    page.get_by_text("You have vouched for Zelda Quinn.").wait_for()
    assert "text=zelda" in page.url
    assert "Yes" in page.locator("table.member-table tbody tr").first.inner_text()
    assert serious_violations(page) == []
