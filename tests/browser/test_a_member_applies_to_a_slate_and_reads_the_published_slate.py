"""Issue 18, item 6: a member asks to be on a slate with a statement; once the members have
ranked the applicants, anyone reads the recommended slate, on its page and in its embed. No
serious axe violation on these pages, phone or desktop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from rankandfile.groups.models import Membership
from rankandfile.proposals.models import SlateApplication
from rankandfile.proposals.slates import slates_resolve_due
from tests.ballots.ballot_helpers import voters_make
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeGroup, MakeMember
from tests.proposals.slate_helpers import (
    rankings_cast_and_published,
    slate_balloted,
    slate_opened,
)


def _accessible(page: Any) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert serious_violations(page) == [], (page.url, width)
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.mark.django_db(transaction=True)
def test_a_member_applies_to_a_slate_and_reads_the_published_slate(
    page: Any, make_group: MakeGroup, make_member: MakeMember
) -> None:
    world = slate_opened(make_member, make_group, names=["Ada Applicant"])
    member = make_member(email="cai@example.org", display_name="Cai Applicant")
    Membership.objects.create(group=world.group, member=member)
    voters = voters_make(world.group, 5)

    log_in(page, "cai@example.org")
    page.goto(world.slate.get_absolute_url())
    _accessible(page)
    page.get_by_role("link", name="Ask to be on the slate").click()
    page.get_by_label("Your statement").fill("I will fight for **members' democracy**.")
    _accessible(page)
    page.get_by_role("button", name="Ask to be on the slate").click()
    page.get_by_text("You have asked to be on this slate.").first.wait_for()
    assert page.locator("strong", has_text="members' democracy").is_visible()
    assert SlateApplication.objects.get(member=member).withdrawn is False

    ballot = slate_balloted(world.slate)
    rankings_cast_and_published(ballot, [[2, 1]] * 5, voters)
    slates_resolve_due(now=ballot.closes_at + timedelta(minutes=2))

    page.goto(world.slate.get_absolute_url())
    page.locator("#recommended").wait_for()
    assert page.locator("#recommended li").all_text_contents() == [
        "Cai Applicant",
        "Ada Applicant",
    ]
    _accessible(page)
    page.get_by_role("link", name="The public page of the slate").click()
    page.get_by_role("heading", name="1. Cai Applicant").wait_for()
    _accessible(page)
    page.goto(f"/slates/{world.slate.pk}/embed")
    assert page.locator("#recommended li").all_text_contents() == [
        "Cai Applicant",
        "Ada Applicant",
    ]
    _accessible(page)
