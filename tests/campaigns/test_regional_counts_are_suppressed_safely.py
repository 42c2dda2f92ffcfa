"""Area figures: which areas are listed depends on members, never on pledges; counts under 5
(or within 5 of the number of people) are withheld. The noise and the attacks are in
test_published_figures_resist_differencing.py; here the noise is none, to see the rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rankandfile.campaigns import selectors
from rankandfile.campaigns.figures import (
    AREA_MIN_MEMBERS,
    OTHER_AREAS,
    SMALL_COUNT,
    ExactFigures,
    PublishedValues,
    figures_draw,
    listed_areas,
    shown_count,
)
from rankandfile.campaigns.models import RegionTally, Stage
from tests.personas import MakeCampaign, MakeMember

AREAS = ["LS", "M", "E", "G", "BS", "CF", "NE", "B", ""]


def _exact(pledges: dict[str, int], members: dict[str, int]) -> ExactFigures:
    return ExactFigures(
        people=sum(pledges.values()),
        verified=0,
        confirmed=0,
        amount_capped_pence=0,
        options={"stop-dues": sum(pledges.values())},
        amount_options=frozenset(),
        areas=pledges,
        members_by_area=members,
    )


def _none(name: str, value: int, scale: float) -> int:
    return value


def _published(pledges: dict[str, int], members: dict[str, int]) -> PublishedValues:
    return figures_draw(_exact(pledges, members), _none)


def test_a_small_area_is_never_listed_however_many_pledge_there() -> None:
    members = {"LS": 80, "ZE": 6}
    assert _published({"LS": 40, "ZE": 6, "M": 9}, members).areas == [
        ("LS", 40),
        (OTHER_AREAS, 15),
    ]
    # ZE's pledges change "other areas" only; ZE itself never appears.
    assert _published({"LS": 40, "ZE": 1, "M": 9}, members).areas == [
        ("LS", 40),
        (OTHER_AREAS, 10),
    ]


def test_a_big_area_is_listed_even_with_no_pledges_its_count_withheld() -> None:
    members = {"LS": 80, "M": AREA_MIN_MEMBERS}
    assert _published({"LS": 40, "E": 9}, members).areas == [
        ("LS", 40),
        ("M", None),
        (OTHER_AREAS, 9),
    ]


def test_no_area_is_listed_in_a_network_without_a_big_area() -> None:
    assert _published({"LS": 40, "M": 30}, {"LS": 49, "M": 10}).areas == []


def test_a_count_is_withheld_under_5_and_within_5_of_the_people() -> None:
    assert shown_count(4, 100) is None
    assert shown_count(5, 100) == 5
    assert shown_count(99, 100) == 95  # people minus it is never under 5
    assert shown_count(7, 9) is None  # too few people for any breakdown


@settings(max_examples=200, deadline=None)
@given(
    pledges=st.dictionaries(st.sampled_from(AREAS), st.integers(min_value=0, max_value=60)),
    members=st.dictionaries(st.sampled_from(AREAS), st.integers(min_value=0, max_value=120)),
)
def test_which_areas_are_listed_depends_on_members_alone(
    pledges: dict[str, int], members: dict[str, int]
) -> None:
    published = _published(pledges, members).areas
    listed = listed_areas(members)
    assert sorted(a for a, _ in published) == sorted([*listed, OTHER_AREAS] if listed else [])
    people = sum(pledges.values())
    for _, shown in published:
        assert shown is None or SMALL_COUNT <= shown <= people - SMALL_COUNT


@pytest.mark.django_db
def test_the_release_job_reads_areas_from_the_tally_shards_and_members_by_area(
    make_campaign: MakeCampaign, make_member: MakeMember
) -> None:
    campaign = make_campaign()
    stage: Stage = campaign.stages.get(number=1)
    RegionTally.objects.bulk_create(
        [
            RegionTally(stage=stage, area="LS", shard=0, pledges=5),
            RegionTally(stage=stage, area="LS", shard=7, pledges=4),
            RegionTally(stage=stage, area="M", shard=3, pledges=6),
        ]
    )
    make_member(district="LS7")
    make_member(district="M14")
    exact = selectors.stage_exact_figures(stage)
    assert exact.areas == {"LS": 9, "M": 6}
    # The organiser (LS6, the personas' default) and the two members just made.
    assert exact.members_by_area == {"LS": 2, "M": 1}
