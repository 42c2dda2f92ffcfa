from __future__ import annotations

from rankandfile.lib.geo import (
    distance_km,
    district_centroid,
    district_centroids,
    district_suggestions,
    districts_near,
)


def test_the_shipped_table_has_every_district_once() -> None:
    assert 2700 <= len(district_centroids()) <= 2800


def test_ls6_is_in_leeds_and_a_few_km_from_ls1() -> None:
    ls6 = district_centroid("LS6")
    ls1 = district_centroid("LS1")
    assert ls6 is not None and ls1 is not None
    assert abs(ls6[0] - 53.8) < 0.1 and abs(ls6[1] - -1.57) < 0.1
    assert 1 < distance_km(ls6, ls1) < 6


def test_an_unknown_district_has_no_centroid() -> None:
    assert district_centroid("LS99") is None


def test_districts_near_include_themselves_and_neighbours_but_not_far_ones() -> None:
    near = districts_near("LS2", 25)
    assert near["LS2"] == 0 and "LS6" in near and "BD1" in near
    assert "M1" not in near
    assert districts_near("LS99", 25) == {}


def test_suggestions_for_an_unknown_district_are_close_known_ones() -> None:
    suggestions = district_suggestions("ls99")
    assert suggestions and "LS9" in suggestions
    assert all(district_centroid(s) is not None for s in suggestions)
