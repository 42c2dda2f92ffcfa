"""The UK postcode areas: their names and their outlines for an SVG map. Django-free.

``area_map.json`` (built by ``build_area_map.py``, see the README beside it for its source,
attribution and licence) holds one SVG path per area in a fixed viewBox; ``postcode_areas.csv``
the usual name of each area (its main post town, or the part of London), written for this
project.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class AreaMap:
    """Outlines of the postcode areas: ``paths[area]`` is SVG path data in ``view_box``; the
    inset is a closer view (``inset_view_box``, in the same units) of London, where
    ``inset_areas`` reach."""

    view_box: str
    paths: dict[str, str]
    licence: str
    inset_view_box: str
    inset_areas: tuple[str, ...]


@functools.cache
def area_map() -> AreaMap:
    """The shipped outlines, read once."""
    data = json.loads((_HERE / "area_map.json").read_text())
    return AreaMap(
        view_box=data["viewBox"],
        paths=data["areas"],
        licence=data["licence"],
        inset_view_box=data["inset"]["viewBox"],
        inset_areas=tuple(data["inset"]["areas"]),
    )


@functools.cache
def postcode_area_names() -> dict[str, str]:
    """The name of every postcode area, by its letters: ``{"LS": "Leeds", ...}``."""
    with (_HERE / "postcode_areas.csv").open(newline="") as handle:
        return {row["area"]: row["name"] for row in csv.DictReader(handle)}
