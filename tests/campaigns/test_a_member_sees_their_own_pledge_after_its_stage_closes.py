"""Once a stage stops taking pledges, each pledger still sees, at the top of the campaign page,
what they pledged there and what became of it: released, in verdict (with the vote), triggered
(with their action pack), won. Nobody else sees anything of it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.campaigns.models import Campaign, Stage
from rankandfile.campaigns.services import (
    pledge_confirm_done,
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from tests.personas import MakeCampaign, MakeMember

pytestmark = pytest.mark.django_db


def _page(campaign: Campaign, member: User | None) -> str:
    client = Client()
    if member is not None:
        client.force_login(member)
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _pledge(stage: Stage, members: list[User]) -> None:
    for member in members:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])


def _vote(stage: Stage, member: User, answer: str) -> None:
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    ballot_cast(
        ballot=stage.verdict_ballot,
        member=member,
        receipt_hash=hashlib.sha256(f"receipt-{stage.pk}-{member.pk}".encode()).hexdigest(),
        answers={"1": answer},
        now=stage.verdict_ballot.opens_at + timedelta(hours=1),
    )


def _close_verdict(stage: Stage) -> None:
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    ballot_close(ballot=stage.verdict_ballot, actor=None, now=stage.verdict_ballot.closes_at)


def _sees_nothing_of_it(html: str) -> None:
    assert 'id="my-pledges"' not in html
    assert "You pledged at stage" not in html
    assert "£12.34" not in html


def test_a_released_pledge_says_the_threshold_was_not_reached(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledger, other_pledger, bystander = make_member(), make_member(), make_member()
    pledge_create(
        stage=stage, member=pledger, option_keys=["stop-dues", "claim-back"], amount_pence=1234
    )
    _pledge(stage, [other_pledger])
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == "released"

    html = _page(campaign, pledger)
    assert (
        "You pledged at stage 1:</strong> Cancel my direct debit; "
        "Claim back my subscriptions (£12.34)." in html
    )
    assert "the threshold was not reached, so nobody acts" in html
    assert html.index('id="my-pledges"') < html.index('id="why-title"')

    # Another pledger sees only their own pledge; a member who did not pledge, and a visitor
    # who is not logged in, see nothing of anyone's.
    other = _page(campaign, other_pledger)
    assert "You pledged at stage 1:</strong> Cancel my direct debit." in other
    assert "£12.34" not in other and "Claim back my subscriptions (" not in other
    _sees_nothing_of_it(_page(campaign, bystander))
    _sees_nothing_of_it(_page(campaign, None))


def test_a_pledge_in_verdict_links_to_the_vote_until_the_member_has_voted(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(5)]
    bystander = make_member()
    _pledge(stage, pledgers)
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == "verdict"
    stage.refresh_from_db()
    vote_url = reverse("ballots:vote", kwargs={"ballot_id": stage.verdict_ballot_id})

    html = _page(campaign, pledgers[0])
    assert "You pledged at stage 1:</strong> Cancel my direct debit." in html
    assert "deciding, by secret ballot, whether the demands were met" in html
    assert f'href="{vote_url}"' in html
    assert "You have voted." not in html

    _vote(stage, pledgers[0], "yes")
    html = _page(campaign, pledgers[0])
    assert "You have voted." in html
    assert f'href="{vote_url}"' not in html

    bystander_html = _page(campaign, bystander)
    _sees_nothing_of_it(bystander_html)
    assert f'href="{vote_url}"' not in bystander_html


def test_a_triggered_pledge_links_to_the_action_pack_and_says_whether_it_was_confirmed(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(4)]
    bystander = make_member()
    _pledge(stage, pledgers)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    _vote(stage, pledgers[1], "no")
    _close_verdict(stage)
    assert (
        stage_resolve_verdict(stage_id=stage.pk, now=stage.deadline + timedelta(days=8))
        == "triggered"
    )
    pack_url = reverse("campaigns:action_pack", kwargs={"slug": campaign.slug, "number": 1})

    html = _page(campaign, pledgers[0])
    assert "so everyone who pledged acts together" in html
    assert f'href="{pack_url}"' in html
    assert "You have not yet confirmed that you acted." in html
    # Stage 2 is open now: its pledge form still leads the page, the closed pledge follows.
    assert html.index('class="pledge-form') < html.index('id="my-pledges"')

    pledge_confirm_done(stage=stage, member=pledgers[0])
    html = _page(campaign, pledgers[0])
    assert "You have confirmed that you acted." in html
    assert "You have not yet confirmed" not in html
    assert "You have not yet confirmed that you acted." in _page(campaign, pledgers[1])

    bystander_html = _page(campaign, bystander)
    _sees_nothing_of_it(bystander_html)
    assert f'href="{pack_url}"' not in bystander_html


def test_a_won_pledge_says_nobody_needs_to_act(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(5)]
    _pledge(stage, pledgers)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    for pledger in pledgers:
        _vote(stage, pledger, "yes")
    _close_verdict(stage)
    assert stage_resolve_verdict(stage_id=stage.pk) == "won"

    html = _page(campaign, pledgers[2])
    assert "You pledged at stage 1:</strong> Cancel my direct debit." in html
    assert "the demands were met, so nobody needs to act" in html
    _sees_nothing_of_it(_page(campaign, make_member()))


def test_the_page_takes_as_many_queries_for_two_closed_pledges_as_for_one(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    first = campaign.stages.get(number=1)
    second = campaign.stages.get(number=2)
    one_stage, both_stages = make_member(), make_member()
    _pledge(first, [both_stages] + [make_member() for _ in range(3)])
    stage_resolve_deadline(stage_id=first.pk, now=first.deadline)
    _close_verdict(first)  # nobody voted: inquorate, so the demands count as not met
    assert stage_resolve_verdict(stage_id=first.pk) == "triggered"
    second.refresh_from_db()
    for member in (one_stage, both_stages):
        pledge_create(stage=second, member=member, option_keys=["resign"])
    assert stage_resolve_deadline(stage_id=second.pk, now=second.deadline) == "released"

    with CaptureQueriesContext(connection) as one:
        assert _page(campaign, one_stage).count('class="pledge-outcome"') == 1
    one = one.captured_queries  # now, before the next request empties the log
    with CaptureQueriesContext(connection) as two:
        assert _page(campaign, both_stages).count('class="pledge-outcome"') == 2
    assert len(two.captured_queries) == len(one)
