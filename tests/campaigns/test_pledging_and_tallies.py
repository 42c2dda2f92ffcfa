from __future__ import annotations

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from rankandfile.campaigns.models import (
    TALLY_SHARDS,
    OptionTally,
    Pledge,
    RegionTally,
    StageTally,
)
from rankandfile.campaigns.services import (
    AlreadyPledgedError,
    CampaignError,
    pledge_create,
    pledge_update,
    pledge_withdraw,
    vouch_create,
)
from rankandfile.campaigns.tallies import tallies_rebuild
from rankandfile.groups.services import group_join
from tests.personas import MakeCampaign, MakeMember


def _recount(stage_id: int) -> tuple[int, int, int]:
    pledges = Pledge.objects.filter(stage_id=stage_id)
    return (
        pledges.count(),
        pledges.filter(verified=True).count(),
        sum(p.amount_pence or 0 for p in pledges),
    )


def _tally(stage_id: int) -> tuple[int, int, int]:
    t = StageTally.objects.filter(stage_id=stage_id).aggregate(
        n=Sum("pledges"), v=Sum("verified_pledges"), a=Sum("amount_pence")
    )
    return (t["n"], t["v"], t["a"])


def _by_option(stage_id: int) -> dict[str, int]:
    rows = OptionTally.objects.filter(option__stage_id=stage_id).values("option__key")
    return dict(rows.annotate(n=Sum("pledges")).values_list("option__key", "n"))


def _by_area(stage_id: int) -> dict[str, int]:
    rows = RegionTally.objects.filter(stage_id=stage_id).values("area")
    return dict(rows.annotate(n=Sum("pledges")).values_list("area", "n"))


def _shards(stage_id: int) -> list[tuple[object, ...]]:
    return sorted(
        [
            *StageTally.objects.filter(stage_id=stage_id, pledges__gt=0).values_list(
                "shard", "pledges", "verified_pledges", "amount_pence", "confirmed"
            ),
            *OptionTally.objects.filter(option__stage_id=stage_id, pledges__gt=0).values_list(
                "option__key", "shard", "pledges"
            ),
            *RegionTally.objects.filter(stage_id=stage_id, pledges__gt=0).values_list(
                "area", "shard", "pledges"
            ),
        ],
        key=repr,
    )


@pytest.mark.django_db
def test_one_pledge_per_member_per_stage_is_a_database_constraint(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    stage = make_campaign().stages.get(number=1)
    member = make_member()
    pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    with pytest.raises(AlreadyPledgedError):
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(stage=stage, member=member)
    assert _tally(stage.pk) == (1, 0, 0)


@pytest.mark.django_db
def test_tallies_follow_pledges_changes_and_withdrawals_exactly(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    organiser = campaign.group.memberships.get().member
    members = [make_member(district=d) for d in ["LS6", "LS7", "M14", "E8"]]
    group_join(group=campaign.group, member=members[0])
    vouch_create(group=campaign.group, organiser=organiser, member=members[0])

    pledge_create(stage=stage, member=members[0], option_keys=["stop-dues"])
    pledge_create(
        stage=stage, member=members[1], option_keys=["claim-back", "stop-dues"], amount_pence=24000
    )
    pledge_create(stage=stage, member=members[2], option_keys=["claim-back"], amount_pence=1050)
    pledge_create(stage=stage, member=members[3], option_keys=["stop-dues"])
    assert _tally(stage.pk) == _recount(stage.pk) == (4, 1, 25050)

    pledge_update(stage=stage, member=members[1], option_keys=["stop-dues"])
    pledge_withdraw(stage=stage, member=members[3])
    assert _tally(stage.pk) == _recount(stage.pk) == (3, 1, 1050)
    assert _by_option(stage.pk) == {"stop-dues": 2, "claim-back": 1}
    assert _by_area(stage.pk) == {"LS": 2, "M": 1, "E": 0}
    # Every pledge moved only its own member's shard: a recount from the pledge rows agrees
    # shard by shard, not just in total.
    incremental = _shards(stage.pk)
    rows = sorted(StageTally.objects.filter(stage=stage).values_list("pk", "accepting"))
    tallies_rebuild(stage)
    assert _shards(stage.pk) == incremental
    # The stage shards are rewritten in place: a pledge waiting for one still finds it.
    assert sorted(StageTally.objects.filter(stage=stage).values_list("pk", "accepting")) == rows


@pytest.mark.django_db
def test_each_stage_has_every_tally_shard_from_the_start(make_campaign: MakeCampaign) -> None:
    for stage in make_campaign().stages.all():
        shards = StageTally.objects.filter(stage=stage).values_list("shard", flat=True)
        assert sorted(shards) == list(range(TALLY_SHARDS))


@pytest.mark.django_db
def test_an_amount_is_required_for_a_claim_back_and_refused_input_changes_nothing(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    stage = make_campaign().stages.get(number=1)
    member = make_member()
    with pytest.raises(CampaignError, match="amount"):
        pledge_create(stage=stage, member=member, option_keys=["claim-back"])
    with pytest.raises(CampaignError, match="Unknown pledge option"):
        pledge_create(stage=stage, member=member, option_keys=["storm-the-building"])
    assert not Pledge.objects.exists()
    assert _tally(stage.pk) == (0, 0, 0)


@pytest.mark.django_db
def test_a_member_with_an_unverified_email_cannot_pledge(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    from allauth.account.models import EmailAddress

    stage = make_campaign().stages.get(number=1)
    member = make_member()
    EmailAddress.objects.filter(user=member).update(verified=False)
    with pytest.raises(CampaignError, match="Verify your email"):
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])


@pytest.mark.django_db
def test_pledges_are_refused_after_the_deadline(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    stage = make_campaign().stages.get(number=1)
    member = make_member()
    pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    later = stage.deadline
    with pytest.raises(CampaignError, match="deadline"):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"], now=later)
    with pytest.raises(CampaignError, match="deadline"):
        pledge_withdraw(stage=stage, member=member, now=later)
    assert _tally(stage.pk) == (1, 0, 0)


@pytest.mark.django_db
def test_a_pledge_that_races_the_deadline_job_and_loses_changes_nothing(
    make_member: MakeMember, make_campaign: MakeCampaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rankandfile.campaigns import services
    from rankandfile.campaigns.models import Stage

    stage = make_campaign().stages.get(number=1)
    checked = services._require_taking_pledges

    def job_resolves_meanwhile(stage: Stage, now: datetime) -> None:
        checked(stage, now)  # the pledge passes its first check; then the job runs
        services.stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)

    monkeypatch.setattr(services, "_require_taking_pledges", job_resolves_meanwhile)
    with pytest.raises(services.PledgingClosedError):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    assert not Pledge.objects.exists()
    assert _tally(stage.pk) == (0, 0, 0)
