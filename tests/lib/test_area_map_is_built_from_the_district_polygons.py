from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from rankandfile.lib.geo import district_centroids
from rankandfile.lib.geo.areas import area_map, postcode_area_names
from rankandfile.lib.geo.build_area_map import build, simplify
from rankandfile.lib.postcodes import postcode_area

SHIPPED = Path(__file__).parents[2] / "rankandfile" / "lib" / "geo" / "area_map.json"
# The source polygons live beside the checkout (../shared), or where this variable says.
SOURCE = Path(
    os.environ.get(
        "RANKANDFILE_POSTCODE_POLYGONS",
        Path(__file__).parents[3] / "shared" / "data" / "uk-postcode-districts",
    )
)
SIZE_BUDGET = 300_000  # bytes: "a few hundred kilobytes" for the whole map


def _points(path: str) -> list[tuple[float, float]]:
    """The absolute points of a path of relative "m", "l" and "z" commands."""
    points = []
    x = y = 0.0
    for ring in path.split("z")[:-1]:
        numbers = [float(n) for n in re.findall(r"-?[\d.]*\d", ring)]
        start = None
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            start = start or (x, y)
            points.append((x, y))
        assert start is not None
        x, y = start
    return points


def test_every_area_of_the_centroid_table_has_an_outline_and_a_name() -> None:
    areas = {postcode_area(district) for district in district_centroids()}
    assert len(areas) == 120
    assert areas <= set(area_map().paths)
    assert areas <= set(postcode_area_names())


def test_the_shipped_map_is_within_its_size_budget() -> None:
    assert SHIPPED.stat().st_size < SIZE_BUDGET


def test_every_outline_lies_inside_the_view_box_and_leeds_is_north_of_london() -> None:
    shapes = area_map()
    _, _, width, height = (float(n) for n in shapes.view_box.split())
    for path in shapes.paths.values():
        assert all(0 <= x <= width and 0 <= y <= height for x, y in _points(path))
    leeds = _points(shapes.paths["LS"])
    london = _points(shapes.paths["EC"])
    assert max(y for _, y in leeds) < min(y for _, y in london)
    assert {"E", "EC", "WC", "SE"} <= set(shapes.inset_areas)


def test_simplifying_keeps_the_ends_and_drops_points_within_the_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.05), (4.0, 0.0), (5.0, 3.0), (6.0, 0.0)]
    assert simplify(line, 0.5) == [(0.0, 0.0), (4.0, 0.0), (5.0, 3.0), (6.0, 0.0)]
    assert simplify(line, 0.01) == line


@pytest.mark.skipif(not SOURCE.is_dir(), reason=f"the source polygons are not at {SOURCE}")
def test_the_shipped_map_is_what_the_build_script_makes_from_the_source() -> None:
    assert json.loads(SHIPPED.read_text()) == build(SOURCE)
