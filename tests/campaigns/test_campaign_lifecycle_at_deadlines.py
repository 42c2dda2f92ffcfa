"""Every path of the pledge lifecycle, with the clock moved by the test."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from rankandfile.accounts.models import User
from rankandfile.ballots.models import BallotState, RollEntry
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.campaigns import selectors, services
from rankandfile.campaigns.models import Campaign, CampaignState, Pledge, Stage, StageState
from rankandfile.campaigns.services import (
    pledge_confirm_done,
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
    stages_resolve_due,
)
from rankandfile.notifications.models import Message
from tests.personas import MakeCampaign, MakeMember


def _pledge(stage: Stage, members: list[User]) -> None:
    for member in members:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])


def _messages(campaign: Campaign, event: str) -> list[Message]:
    return list(
        Message.objects.filter(key__contains=f"campaign:{campaign.pk}:").filter(
            key__contains=f":{event}:"
        )
    )


def _vote(stage: Stage, members: list[User], answer: str) -> None:
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    for n, member in enumerate(members):
        receipt = hashlib.sha256(f"receipt-{stage.pk}-{n}".encode()).hexdigest()
        ballot_cast(
            ballot=stage.verdict_ballot,
            member=member,
            receipt_hash=receipt,
            answers={"1": answer},
            now=stage.verdict_ballot.opens_at + timedelta(hours=1),
        )


def _close_verdict(stage: Stage) -> None:
    stage.refresh_from_db()
    ballot = stage.verdict_ballot
    assert ballot is not None
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)


@pytest.mark.django_db
def test_too_few_pledges_release_everyone_and_the_job_runs_once(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member(), make_member()]
    _pledge(stage, pledgers)

    assert (
        stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline - timedelta(seconds=1))
        == "open"
    )
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.RELEASED
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.RELEASED
    stages_resolve_due(now=stage.deadline + timedelta(hours=1))

    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RELEASED
    released = _messages(campaign, "released")
    assert sorted(m.recipient_id for m in released) == sorted(p.pk for p in pledgers)
    assert {m.template for m in released} == {"pledge_released"}
    assert not _messages(campaign, "triggered")


@pytest.mark.django_db
def test_enough_pledges_go_to_a_verdict_and_a_yes_wins_the_campaign(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(5)]  # a verdict needs at least 5 voters
    _pledge(stage, pledgers)

    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.VERDICT
    stage.refresh_from_db()
    ballot = stage.verdict_ballot
    assert ballot is not None and ballot.state == BallotState.OPEN
    roll = set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    assert roll == {p.pk for p in pledgers}
    told = Message.objects.filter(key__startswith=f"ballot:{ballot.pk}:opened:")
    assert set(told.values_list("recipient_id", flat=True)) == {p.pk for p in pledgers}
    # Until the verdict is counted nothing changes, however often the job runs.
    assert stage_resolve_verdict(stage_id=stage.pk) == StageState.VERDICT

    _vote(stage, pledgers, "yes")
    _close_verdict(stage)
    assert stage_resolve_verdict(stage_id=stage.pk) == StageState.WON
    assert stage_resolve_verdict(stage_id=stage.pk) == StageState.WON
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.WON
    assert len(_messages(campaign, "won")) == 5
    assert not _messages(campaign, "triggered")
    assert Stage.objects.get(campaign=campaign, number=2).state == StageState.PENDING


@pytest.mark.django_db
def test_a_no_verdict_triggers_every_pledger_at_once_and_opens_the_next_stage(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(4)]
    _pledge(stage, pledgers)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    _vote(stage, pledgers[:3], "no")
    _close_verdict(stage)
    triggered_at = stage.deadline + timedelta(days=8)
    assert stage_resolve_verdict(stage_id=stage.pk, now=triggered_at) == StageState.TRIGGERED

    packs = _messages(campaign, "triggered")
    assert sorted(m.recipient_id for m in packs) == sorted(p.pk for p in pledgers)
    assert {m.template for m in packs} == {"pledge_triggered"}
    assert all("/campaigns/" in m.context["action_pack_url"] for m in packs)
    second = Stage.objects.get(campaign=campaign, number=2)
    assert second.state == StageState.OPEN
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.OPEN

    pledge_confirm_done(stage=stage, member=pledgers[0])
    pledge_confirm_done(stage=stage, member=pledgers[0])
    stage.refresh_from_db()
    assert selectors.stage_totals(stage).confirmed == 1


@pytest.mark.django_db
def test_the_second_stage_triggered_ends_the_campaign_triggered(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=2)
    first, second = campaign.stages.order_by("number")
    pledgers = [make_member() for _ in range(2)]
    _pledge(first, pledgers)
    stage_resolve_deadline(stage_id=first.pk, now=first.deadline)
    _vote(first, pledgers, "no")
    _close_verdict(first)
    stage_resolve_verdict(stage_id=first.pk, now=first.deadline + timedelta(days=8))

    second.refresh_from_db()
    for member in pledgers:
        pledge_create(stage=second, member=member, option_keys=["resign"])
    stage_resolve_deadline(stage_id=second.pk, now=second.deadline)
    _vote(second, pledgers, "no")
    _close_verdict(second)
    assert (
        stage_resolve_verdict(stage_id=second.pk, now=second.deadline + timedelta(days=8))
        == StageState.TRIGGERED
    )
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.TRIGGERED
    assert len(_messages(campaign, "triggered")) == 4  # two pledgers, two stages


@pytest.mark.django_db
def test_an_inquorate_verdict_leaves_the_demands_unmet(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=2)
    stage = campaign.stages.get(number=1)
    Stage.objects.filter(pk=stage.pk).update(verdict_quorum_percent=100)
    pledgers = [make_member() for _ in range(6)]
    _pledge(stage, pledgers)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    _vote(stage, pledgers[:5], "yes")
    _close_verdict(stage)
    assert stage_resolve_verdict(stage_id=stage.pk) == StageState.TRIGGERED


@pytest.mark.django_db(transaction=True)
def test_a_crash_half_way_through_the_deadline_rolls_back_and_the_rerun_does_it_all(
    make_member: MakeMember, make_campaign: MakeCampaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(3)]
    _pledge(stage, pledgers)

    real_fan_out = services._notify_pledgers

    def crash_after_queueing(**kwargs: object) -> int:
        real_fan_out(**kwargs)  # type: ignore[arg-type]
        raise RuntimeError("worker killed half-way")

    monkeypatch.setattr(services, "_notify_pledgers", crash_after_queueing)
    with pytest.raises(RuntimeError):
        stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    stage.refresh_from_db()
    assert stage.state == StageState.OPEN
    assert not _messages(campaign, "released")

    monkeypatch.setattr(services, "_notify_pledgers", real_fan_out)
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.RELEASED
    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.RELEASED
    assert len(_messages(campaign, "released")) == 3
    assert Pledge.objects.filter(stage=stage).count() == 3
