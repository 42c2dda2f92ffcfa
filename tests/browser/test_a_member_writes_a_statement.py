"""Issue 17: a member writes a statement. The page says whether it is shown at once, counts the
characters left as they type (and too many, kept to shorten), and the statement then joins the
conversation. No serious axe violation, phone or desktop."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.groups.services import group_join
from rankandfile.opinions.models import Statement
from rankandfile.opinions.services import conversation_create
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember


@pytest.mark.django_db(transaction=True)
def test_a_member_writes_a_statement(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    conversation = conversation_create(
        organiser=group.memberships.get().member,
        group=group,
        question="Stay and fight, or leave and build?",
        seed_statements=["Stay in the party and fight."],
        moderation="pre",
    )
    member = make_member(email="writer@example.org")
    group_join(group=group, member=member)

    log_in(page, "writer@example.org")
    page.goto(conversation.get_absolute_url())
    page.get_by_role("heading", name="Write a statement").wait_for()
    assert page.get_by_text("Your statement is shown after an organiser accepts it.").is_visible()
    counter = page.locator("#id_text_count")
    assert counter.text_content() == "You have 280 characters left."
    field = page.get_by_label("Your statement")
    assert "id_text_count" in (field.get_attribute("aria-describedby") or "")

    # Too long: the counter says so; sent anyway, the page says by how much and keeps the text.
    field.fill("Too long. " * 30)
    assert counter.text_content() == "You have 19 characters too many."
    page.get_by_role("button", name="Add your statement").click()
    page.locator("[data-error-summary]").wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.get_by_label("Your statement").input_value() == "Too long. " * 30
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
    page.set_viewport_size({"width": 390, "height": 844})

    text = "Our branch should hold a members' meeting before deciding."
    page.get_by_label("Your statement").fill(text)
    assert counter.text_content() == f"You have {280 - len(text)} characters left."
    page.get_by_role("button", name="Add your statement").click()
    page.get_by_text("will be shown once an organiser accepts it").wait_for()
    statement = Statement.objects.get(text=text)
    assert statement.status == "pending" and statement.author == member
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
