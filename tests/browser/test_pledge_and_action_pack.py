from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.campaigns.models import Pledge, Stage
from rankandfile.campaigns.services import (
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from rankandfile.notifications.models import Message
from tests.browser.accessibility import serious_violations
from tests.browser.steps import log_in
from tests.personas import MakeCampaign, MakeMember


@pytest.mark.django_db(transaction=True)
def test_a_member_pledges_sees_the_counter_move_and_withdraws(
    page: Any, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=10)
    stage = campaign.stages.get(number=1)
    for _ in range(5):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    make_member(email="pledger@example.org")
    log_in(page, "pledger@example.org")

    page.goto(campaign.get_absolute_url())
    counter = page.locator("#pledge-count")
    assert counter.inner_text().startswith("5")
    assert serious_violations(page) == []
    page.get_by_label("Claim back my subscriptions", exact=True).check()
    page.get_by_label("Claim back my subscriptions: the amount, in pounds (£)").fill("96")
    page.get_by_role("button", name="Pledge", exact=True).click()
    page.get_by_text("Your pledge is saved").wait_for()
    assert page.locator("#pledge-count").inner_text().startswith("6")
    assert Pledge.objects.get(member__email="pledger@example.org").amount_pence == 9600

    page.get_by_role("button", name="Withdraw my pledge").click()
    page.get_by_role("heading", name="Withdraw your pledge?").wait_for()
    page.get_by_role("button", name="Withdraw my pledge").click()
    page.get_by_text("Your pledge has been withdrawn").wait_for()
    assert page.locator("#pledge-count").inner_text().startswith("5")
    assert not Pledge.objects.filter(member__email="pledger@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_at_a_triggered_deadline_the_member_opens_the_action_pack_and_confirms(
    page: Any, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=2)
    stage = campaign.stages.get(number=1)
    member = make_member(email="acting@example.org", display_name="Red Robin")
    pledge_create(stage=stage, member=member, option_keys=["claim-back"], amount_pence=24000)
    pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    now = timezone.now()
    Stage.objects.filter(pk=stage.pk).update(deadline=now - timedelta(minutes=1))
    stage_resolve_deadline(stage_id=stage.pk, now=now)
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    ballot_cast(
        ballot=stage.verdict_ballot,
        member=member,
        receipt_hash=hashlib.sha256(b"browser-test-receipt").hexdigest(),
        answers={"1": "no"},
    )
    ballot_close(ballot=stage.verdict_ballot, actor=None, now=stage.verdict_ballot.closes_at)
    stage_resolve_verdict(stage_id=stage.pk)

    email = Message.objects.get(recipient=member, template="pledge_triggered")
    link = urlparse(email.context["action_pack_url"]).path
    log_in(page, "acting@example.org")
    # The campaign page, on a phone, tells the pledger what became of their pledge and leads
    # to the same action pack as the email.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(campaign.get_absolute_url())
    outcome = page.locator("#my-pledges")
    assert "You pledged at stage 1: Claim back my subscriptions (£240)." in outcome.inner_text()
    assert "You have not yet confirmed that you acted." in outcome.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []
    outcome.get_by_role("link", name="Your action pack for stage 1").click()
    page.wait_for_url(f"**{link}")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("heading", name="Your action pack").wait_for()
    letter = page.locator(".letter").inner_text()
    assert "Red Robin" in letter and "£240" in letter
    assert serious_violations(page) == []
    page.get_by_role("button", name="I have done it").click()
    page.get_by_text("You have confirmed that you have done it").wait_for()
    assert Pledge.objects.get(member=member).confirmed_done
    page.goto(campaign.get_absolute_url())
    assert "You have confirmed that you acted." in page.locator("#my-pledges").inner_text()
