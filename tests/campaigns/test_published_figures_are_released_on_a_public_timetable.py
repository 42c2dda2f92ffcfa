"""When a stage's breakdown is released depends only on public facts (the time, the stage's
state, the live people count), and a closed stage's pledge figures are drawn once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rankandfile.campaigns.models import Stage, StageRelease
from rankandfile.campaigns.services import (
    figures_release_due,
    pledge_confirm_done,
    pledge_create,
    stage_resolve_deadline,
)
from tests.personas import MakeCampaign, MakeMember


def _none(name: str, value: int, scale: float) -> int:
    return value


@pytest.mark.django_db
def test_an_open_stage_is_released_daily_and_when_its_people_count_doubles(
    make_campaign: MakeCampaign, make_member: MakeMember
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    opened = stage.deadline - timedelta(days=42)

    def release(minutes: int) -> int:
        return figures_release_due(now=opened + timedelta(minutes=minutes), noise=_none)

    assert release(1) == 1  # the first, for the open stage only (stage 2 is pending)
    assert release(2) == 0
    for _ in range(4):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    assert release(30) == 0  # doubled, but within the hour
    assert release(61) == 1
    assert StageRelease.objects.get(stage=stage).pledges_at_release == 4
    pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    assert release(200) == 0  # 5 is not twice 4
    assert release(61 + 24 * 60) == 1  # a day after the last one


@pytest.mark.django_db
def test_a_closed_stage_is_released_once_and_its_pledge_figures_never_redrawn(
    make_campaign: MakeCampaign, make_member: MakeMember
) -> None:
    campaign = make_campaign(people=3)
    stage = campaign.stages.get(number=1)
    pledgers = [make_member() for _ in range(20)]
    for member in pledgers[:10]:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    for member in pledgers[10:]:
        pledge_create(stage=stage, member=member, option_keys=["claim-back"], amount_pence=900)
    offset = 1

    def noise(name: str, value: int, scale: float) -> int:
        return value + offset

    assert figures_release_due(now=stage.deadline - timedelta(days=2), noise=noise) == 1
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    later = stage.deadline + timedelta(minutes=10)
    assert figures_release_due(now=later, noise=noise) == 1  # the first after the close
    final = StageRelease.objects.get(stage=stage)
    assert final.final and final.options == {"stop-dues": 11, "claim-back": 11}
    for days in (1, 2, 30):
        assert figures_release_due(now=later + timedelta(days=days), noise=noise) == 0

    # While the pledgers of a triggered stage act, its confirmed count is drawn again once a
    # day; the pledge figures stay as drawn at the close.
    Stage.objects.filter(pk=stage.pk).update(state="triggered", triggered_at=later)
    stage.refresh_from_db()
    for member in pledgers[:6]:
        pledge_confirm_done(stage=stage, member=member)
    offset = 3
    assert figures_release_due(now=later + timedelta(days=1), noise=noise) == 1
    again = StageRelease.objects.get(stage=stage)
    assert again.confirmed == 9
    assert (again.options, again.areas, again.verified, again.amount_pence) == (
        final.options,
        final.areas,
        final.verified,
        final.amount_pence,
    )
    act_by = later + timedelta(days=stage.act_within_days)
    assert figures_release_due(now=act_by, noise=noise) == 1  # the last, at the act-by date
    assert figures_release_due(now=act_by + timedelta(days=3), noise=noise) == 0
