"""Issue 17: a member votes on a conversation's statements with the keyboard alone. After each
vote the card brings the next statement and the focus goes to it, so Tab reaches the buttons
again; the live region says the vote was recorded. No serious axe violation, phone or desktop."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.groups.services import group_join
from rankandfile.opinions.services import conversation_create, votes_of
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember

SEEDS = ["Stay in the party and fight.", "Leave and build a new party.", "Ballot every member."]
# The focus is on the card's statement (not left on the page: the body holds every text).
FOCUS_ON_TEXT = (
    "(text) => document.activeElement.id === 'vote-statement'"
    " && document.activeElement.textContent.includes(text)"
)


def _tab_to_button(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the button ``name`` (in the vote card) has the focus."""
    button = page.locator("#vote-card").get_by_role("button", name=name, exact=True)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {name!r}")


@pytest.mark.django_db(transaction=True)
def test_a_member_votes_on_statements_by_keyboard_only(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    organiser = group.memberships.get().member
    conversation = conversation_create(
        organiser=organiser,
        group=group,
        question="Stay and fight, or leave and build?",
        seed_statements=SEEDS,
    )
    member = make_member(email="voter@example.org")
    group_join(group=group, member=member)

    log_in(page, "voter@example.org")
    page.goto(conversation.get_absolute_url())
    page.get_by_role("heading", name="Stay and fight, or leave and build?").wait_for()
    assert page.locator("#vote-statement").text_content().strip().endswith(SEEDS[0])
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
    page.set_viewport_size({"width": 390, "height": 844})

    # First statement: Tab to Agree, Enter. The card is swapped and the focus is on the next one.
    _tab_to_button(page, "Agree")
    page.keyboard.press("Enter")
    status = page.locator("#vote-status")
    status.filter(has_text="Vote recorded. You have voted on 1 of 3.").wait_for()
    page.wait_for_function(FOCUS_ON_TEXT, arg=SEEDS[1])

    # From the statement, the next Tab is Agree; Disagree is one more.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    status.filter(has_text="You have voted on 2 of 3.").wait_for()
    page.wait_for_function(FOCUS_ON_TEXT, arg=SEEDS[2])

    for _ in range(3):  # Agree, Disagree, Pass
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    status.filter(has_text="You have voted on 3 of 3.").wait_for()
    page.wait_for_function(FOCUS_ON_TEXT, arg="voted on every statement")

    statements = {s.text: s.pk for s in conversation.statements.all()}
    assert votes_of(conversation=conversation, member=member) == {
        statements[SEEDS[0]]: 1,
        statements[SEEDS[1]]: -1,
        statements[SEEDS[2]]: 0,
    }
    # The member's own list was brought up to date with the card.
    assert page.locator("#own-votes .own-vote").count() == 3
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], width
