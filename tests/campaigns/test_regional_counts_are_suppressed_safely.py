from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import RegionTally, Stage
from rankandfile.campaigns.selectors import SMALL_COUNT, RegionCount
from tests.personas import MakeCampaign

AREAS = ["LS", "M", "E", "G", "BS", "CF", "NE", "B"]


def _published(counts: dict[str, int]) -> list[RegionCount]:
    class FakeStage:
        pass

    rows = [RegionCount(area=a, pledges=n) for a, n in counts.items() if n > 0]
    original = selectors._regions
    selectors._regions = lambda stage: rows  # type: ignore[assignment]
    try:
        return selectors.regional_counts(FakeStage())  # type: ignore[arg-type]
    finally:
        selectors._regions = original


def test_a_single_small_region_is_hidden_with_the_next_smallest() -> None:
    published = _published({"LS": 40, "M": 12, "E": 2})
    # E alone (2) would be total - LS - M; so M is hidden with it: "other areas" = 14.
    assert published == [RegionCount("LS", 40), RegionCount("", 14)]


def test_several_small_regions_are_grouped_when_their_sum_is_safe() -> None:
    published = _published({"LS": 40, "M": 3, "E": 2, "G": 4})
    assert published == [RegionCount("LS", 40), RegionCount("", 9)]


def test_a_stage_too_small_to_break_down_shows_no_regions() -> None:
    assert _published({"LS": 3, "M": 1}) == []
    assert _published({"LS": 7, "M": 1}) == []


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(AREAS), st.integers(min_value=0, max_value=30)))
def test_no_suppressed_count_can_be_worked_out(counts: dict[str, int]) -> None:
    published = _published(counts)
    total = sum(counts.values())
    if not published:
        return
    assert sum(r.pledges for r in published) == total
    shown = [r for r in published if r.area]
    others = [r for r in published if not r.area]
    for region in shown:
        assert region.pledges >= SMALL_COUNT and counts[region.area] == region.pledges
    if others:
        hidden_areas = [a for a, n in counts.items() if n > 0]
        hidden_areas = [a for a in hidden_areas if a not in {r.area for r in shown}]
        # The remainder is safe: at least the threshold, and made of two or more regions.
        assert others[0].pledges >= SMALL_COUNT
        assert len(hidden_areas) >= 2


@pytest.mark.django_db
def test_regional_counts_add_up_the_tally_shards(make_campaign: MakeCampaign) -> None:
    campaign = make_campaign()
    stage: Stage = campaign.stages.get(number=1)
    RegionTally.objects.bulk_create(
        [
            RegionTally(stage=stage, area="LS", shard=0, pledges=5),
            RegionTally(stage=stage, area="LS", shard=7, pledges=4),
            RegionTally(stage=stage, area="M", shard=3, pledges=6),
            RegionTally(stage=stage, area="E", shard=3, pledges=0),
        ]
    )
    assert selectors.regional_counts(stage) == [RegionCount("LS", 9), RegionCount("M", 6)]
    assert stage.deadline > timezone.now() + timedelta(days=1)
