"""On a 390 x 844 phone the campaign page leads with the call to action: the title, the
deadline, the progress bar and the top of the pledge form (or the member's pledge) are on the
first screen, and nothing, the embed code included, makes the page scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest

from rankandfile.campaigns.services import pledge_create
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeCampaign, MakeMember

FOLD = 844


def _top(page: Any, selector: str) -> float:
    return float(page.locator(selector).first.bounding_box()["y"])


@pytest.mark.django_db(transaction=True)
def test_the_pledge_form_is_above_the_fold_and_the_page_never_scrolls_sideways(
    page: Any, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=1000)
    stage = campaign.stages.get(number=1)
    for _ in range(6):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    make_member(email="reader@example.org")
    log_in(page, "reader@example.org")

    page.goto(campaign.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _top(page, "form.pledge-form") < FOLD
    assert _top(page, "#totals progress") < FOLD
    assert page.locator("#pledge-count").inner_text().startswith("6 of 1,000 pledged")
    assert page.locator("#totals time").is_visible()
    assert not page.get_by_role("table").first.is_visible()  # areas folded, if listed at all
    assert page.locator("#embed-code").bounding_box()["width"] <= 390
    assert serious_violations(page) == []

    page.get_by_label("Cancel my direct debit").check()
    page.get_by_role("button", name="Pledge", exact=True).click()
    page.get_by_text("Your pledge is saved").wait_for()
    assert _top(page, "#pledge") < FOLD
    assert page.get_by_text("You have pledged:").is_visible()
    assert _top(page, "button:has-text('Withdraw my pledge')") < FOLD
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every stage of the ladder is on the page.
    assert page.get_by_role("heading", name="Stage 2: Leave together").is_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert _top(page, "#pledge") < 800
