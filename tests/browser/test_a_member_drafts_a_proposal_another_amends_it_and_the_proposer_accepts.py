"""Issue 18: a member drafts a proposal and opens it; another proposes an amendment, seeing
its word diff first; the proposer accepts it and sees the diff in the history of the text. A
member turns off the messages about amendments. No serious axe violation, phone or desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rankandfile.groups.services import group_join
from rankandfile.notifications.models import KindOptOut
from rankandfile.proposals.models import Amendment, Proposal
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember

MOTION = "This branch calls on the council to build 500 council homes."


def _accessible_at_both_widths(page: Any, where: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], (where, width)
    page.set_viewport_size({"width": 390, "height": 844})


def _log_in_as(page: Any, email: str) -> None:
    page.context.clear_cookies()
    log_in(page, email)


@pytest.mark.django_db(transaction=True)
def test_a_member_drafts_a_proposal_another_amends_it_and_the_proposer_accepts(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group(name="Leeds Left")
    proposer = make_member(email="rosa@example.org", display_name="Rosa")
    amender = make_member(email="amir@example.org", display_name="Amir")
    for member in (proposer, amender):
        group_join(group=group, member=member)

    # The proposer drafts, previews and opens the proposal.
    _log_in_as(page, "rosa@example.org")
    page.goto(f"/proposals/groups/{group.slug}/")
    page.get_by_role("link", name="Write a proposal").click()
    page.get_by_label("Title").fill("Homes for all")
    page.get_by_label("Text of the proposal").fill(MOTION)
    _accessible_at_both_widths(page, "the draft form")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("Only you can see it.").first.wait_for()
    proposal = Proposal.objects.get(title="Homes for all")
    assert proposal.state == "draft"
    page.get_by_role("button", name="Open for discussion").click()
    page.get_by_role("button", name="Open for discussion").click()  # the confirmation page
    page.get_by_text("The proposal is open for discussion and support.").wait_for()
    _accessible_at_both_widths(page, "the open proposal")

    # Another member proposes an amendment, looking at its changes first.
    _log_in_as(page, "amir@example.org")
    page.goto(proposal.get_absolute_url())
    page.get_by_role("link", name="Propose an amendment").click()
    page.get_by_label("The text as you would amend it").fill(MOTION.replace("500", "800"))
    page.get_by_label("Why (optional)").fill("500 is not enough for the waiting list.")
    page.get_by_role("button", name="Show the changes").click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert preview.locator("del").text_content() == "[removed: 500]"
    assert preview.locator("ins").text_content() == "[added: 800]"
    _accessible_at_both_widths(page, "the amendment's preview")
    page.get_by_role("button", name="Propose the amendment").click()
    page.get_by_text("Amendment 1 is proposed.").wait_for()
    amendment = Amendment.objects.get(proposal=proposal)
    assert amendment.author == amender and amendment.state == "open"

    # The proposer accepts it: the text changes and the history shows the diff.
    _log_in_as(page, "rosa@example.org")
    page.goto(proposal.get_absolute_url())
    page.get_by_role("button", name="Accept amendment 1").click()
    page.get_by_text("Amendment 1 is accepted: this is version 2 of the text.").wait_for()
    assert "800 council homes" in page.locator("#proposal-text").inner_text()
    history = page.locator("#history")
    assert history.get_by_role("heading", name="Version 2").is_visible()
    assert "made by amendment 1" in history.inner_text()
    version_2 = history.locator("li", has_text="Version 2")
    assert version_2.locator("del").text_content() == "[removed: 500]"
    assert version_2.locator("ins").text_content() == "[added: 800]"
    _accessible_at_both_widths(page, "the amended proposal and its history")
    proposal.refresh_from_db()
    assert (proposal.version_number, proposal.text) == (2, MOTION.replace("500", "800"))


@pytest.mark.django_db(transaction=True)
def test_a_member_turns_off_amendment_messages_on_the_preferences_page(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    member = make_member(email="rosa@example.org", display_name="Rosa")
    group_join(group=make_group(name="Leeds Left"), member=member)
    log_in(page, "rosa@example.org")
    page.goto(reverse("notifications:preferences"))
    box = page.get_by_label("When someone proposes an amendment to a proposal of mine")
    assert box.is_checked()
    _accessible_at_both_widths(page, "the email preferences page")
    box.uncheck()
    page.get_by_role("button", name="messages about proposals").click()
    page.get_by_text("Your choice of messages about proposals is saved.").wait_for()
    assert not page.get_by_label(
        "When someone proposes an amendment to a proposal of mine"
    ).is_checked()
    assert page.get_by_label("When someone replies to a comment of mine").is_checked()
    assert list(KindOptOut.objects.values_list("kind", flat=True)) == ["proposal_amendment"]
