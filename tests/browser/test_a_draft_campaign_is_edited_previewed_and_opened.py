"""An organiser edits a draft, previews it as members will see it, opens it through the
confirmation page, and members then see it open."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.campaigns.models import CampaignState
from rankandfile.campaigns.services import campaign_create
from rankandfile.groups.services import group_join
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in, log_in_with_second_factor
from tests.personas import MakeGroup, MakeMember, stage_inputs


@pytest.mark.django_db(transaction=True)
def test_an_organiser_edits_previews_and_opens_a_draft_that_members_then_see(
    page: Any, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(email="organiser@example.org", mfa=True)
    group = make_group(organiser=organiser)
    draft = campaign_create(
        organiser=organiser,
        group=group,
        title="Publish the report",
        target="the national executive",
        explanation="We ask the executive to publish the report.",
        demands=["Publish the report in full"],
        stages=stage_inputs(),
    )
    member = make_member(email="member@example.org")
    group_join(group=group, member=member)

    log_in_with_second_factor(page, "organiser@example.org")
    page.goto(f"/campaigns/{draft.slug}/manage/")
    page.get_by_role("link", name="Edit the draft").click()
    page.locator("#id_title").fill("Publish the whole report")
    page.get_by_role("button", name="Add another stage").click()
    page.get_by_role("group", name="Stage 3").wait_for()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#id_title").input_value() == "Publish the whole report"  # kept
    page.get_by_role("button", name="Remove stage 3").click()
    page.get_by_role("button", name="Save as a draft").last.click()
    page.get_by_text("The campaign is saved as a draft").wait_for()

    page.get_by_role("link", name="Preview").click()
    page.get_by_text("Preview: not open yet").wait_for()
    assert page.get_by_role("heading", name="Publish the whole report", level=1).is_visible()
    assert page.get_by_role("button", name="Pledge", exact=True).is_disabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []
    page.get_by_role("link", name="Back to organising").click()

    page.get_by_role("button", name="Open the campaign").click()
    page.get_by_role("heading", name="Open “Publish the whole report” for pledges?").wait_for()
    assert page.get_by_text("You can no longer edit or delete the campaign.").is_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Open the campaign").click()
    page.get_by_text("The campaign is open for pledges.").wait_for()
    draft.refresh_from_db()
    assert draft.state == CampaignState.OPEN

    page.context.clear_cookies()
    log_in(page, "member@example.org")
    page.goto(draft.get_absolute_url())
    page.get_by_role("heading", name="Publish the whole report", level=1).wait_for()
    assert page.get_by_role("button", name="Pledge", exact=True).is_enabled()
    assert page.get_by_text("Preview: not open yet").count() == 0
