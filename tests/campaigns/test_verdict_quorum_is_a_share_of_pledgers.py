"""The verdict's quorum is a share of the stage's pledgers, set when the stage is drafted and never
fewer than 5 people: one organiser who pledged cannot decide the verdict alone."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.ballots.models import Question
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.campaigns.models import Campaign, CampaignState, Stage, StageState
from rankandfile.campaigns.services import (
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor


def _to_verdict(stage: Stage, pledgers: list[User]) -> Stage:
    for member in pledgers:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.VERDICT
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    return stage


def _vote_and_close(stage: Stage, voters: list[User], answer: str) -> str:
    ballot = stage.verdict_ballot
    assert ballot is not None
    for n, member in enumerate(voters):
        ballot_cast(
            ballot=ballot,
            member=member,
            receipt_hash=hashlib.sha256(f"quorum-{stage.pk}-{n}".encode()).hexdigest(),
            answers={"1": answer},
            now=ballot.opens_at + timedelta(hours=1),
        )
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    return stage_resolve_verdict(stage_id=stage.pk)


def _verdict_quorum(stage: Stage) -> int:
    return Question.objects.get(ballot=stage.verdict_ballot, position=1).quorum


@pytest.mark.django_db
def test_one_yes_vote_of_five_pledgers_does_not_win_the_campaign(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    campaign = make_campaign(people=5, organiser=organiser)
    others = [make_member() for _ in range(4)]
    stage = _to_verdict(campaign.stages.get(number=1), [organiser, *others])

    assert _verdict_quorum(stage) == 5
    assert _vote_and_close(stage, [organiser], "yes") == StageState.TRIGGERED
    campaign.refresh_from_db()
    assert campaign.state != CampaignState.WON


@pytest.mark.django_db
def test_the_quorum_is_the_share_of_pledgers_fixed_when_the_verdict_opens(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    assert stage.verdict_quorum_percent == 50  # the default share
    pledgers = [make_member() for _ in range(13)]
    stage = _to_verdict(stage, pledgers)
    assert _verdict_quorum(stage) == 7  # half of 13, rounded up

    # Fixed when the ballot opened: changing the stage afterwards changes nothing.
    Stage.objects.filter(pk=stage.pk).update(verdict_quorum_percent=100)
    assert _vote_and_close(stage, pledgers[:7], "yes") == StageState.WON
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.WON


@pytest.mark.django_db
def test_a_small_share_of_few_pledgers_still_needs_five_people(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    Stage.objects.filter(pk=stage.pk).update(verdict_quorum_percent=10)
    stage.refresh_from_db()
    pledgers = [make_member() for _ in range(6)]
    stage = _to_verdict(stage, pledgers)
    assert _verdict_quorum(stage) == 5
    assert _vote_and_close(stage, pledgers[:4], "yes") == StageState.TRIGGERED


@pytest.mark.django_db
def test_pledgers_are_shown_the_quorum_on_the_campaign_page_and_in_the_ballot(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    member = make_member()
    client = Client()
    client.force_login(member)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "at least 50% of the stage\u2019s pledgers" in page

    stage = _to_verdict(stage, [member, *(make_member() for _ in range(9))])
    ballot = stage.verdict_ballot
    assert ballot is not None
    assert "at least 5 of the 10 pledgers" in ballot.description
    page = client.get(reverse("ballots:detail", kwargs={"ballot_id": ballot.pk})).content.decode()
    assert "at least 5 of the 10 pledgers" in page


FORM = {
    "title": "Publish the report",
    "target": "the national executive",
    "explanation": "Together we ask the executive to publish the report.",
    "demands": "Publish the report",
    "stage1-title": "Withhold subscriptions",
    "stage1-deadline": "2030-01-10T12:00",
    "stage1-threshold_people": "100",
    "stage1-options": "Cancel my direct debit",
    "stage1-action_instructions": "Cancel your direct debit.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("share", ["0", "101", "-5", "NaN", "half"])
def test_the_draft_form_refuses_a_share_that_is_not_a_percentage(
    make_member: MakeMember, make_group: MakeGroup, share: str
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("campaigns:new", kwargs={"group_slug": group.slug})

    refused = client.post(url, FORM | {"stage1-verdict_quorum_percent": share})
    assert refused.status_code == 200
    assert refused.context["stage_forms"][0].errors["verdict_quorum_percent"]
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_the_draft_form_sets_the_share(make_member: MakeMember, make_group: MakeGroup) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    url = reverse("campaigns:new", kwargs={"group_slug": group.slug})
    assert "verdict_quorum_percent" in client.get(url).content.decode()

    client.post(url, FORM | {"stage1-verdict_quorum_percent": "60"})
    assert Stage.objects.get().verdict_quorum_percent == 60
    client.post(url, FORM | {"title": "Another"})
    assert Stage.objects.get(campaign__title="Another").verdict_quorum_percent == 50
