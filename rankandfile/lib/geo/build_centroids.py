"""Build ``district_centroids.csv`` from the UK postcode district polygons.

Usage: ``python -m rankandfile.lib.geo.build_centroids DIR_OF_GEOJSON [OUT.csv]``

Each district's centroid is the area-weighted centroid of all its polygons (holes subtracted),
computed on longitude/latitude as a plane: districts are small enough that the error is far
below the polygons' own accuracy. Standard library only.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

Ring = list[list[float]]


def _ring_area_and_moment(ring: Ring) -> tuple[float, float, float]:
    """Signed area and first moments (x, y) of a closed ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return area / 2, cx / 6, cy / 6


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    """The polygons of a Polygon, MultiPolygon or GeometryCollection of them."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return [polygon for part in geometry.get("geometries", []) for polygon in _polygons(part)]


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """(latitude, longitude) of a GeoJSON Polygon, MultiPolygon or GeometryCollection."""
    total = mx = my = 0.0
    for polygon in _polygons(geometry):
        for index, ring in enumerate(polygon):
            area, x, y = _ring_area_and_moment([point[:2] for point in ring])
            # The outer ring adds, holes subtract, whichever way each ring winds.
            sign = 1.0 if index == 0 else -1.0
            factor = sign if area >= 0 else -sign
            total += factor * area
            mx += factor * x
            my += factor * y
    return my / total, mx / total


def build(source: Path) -> list[tuple[str, float, float]]:
    rows = []
    for path in sorted(source.glob("*.geojson")):
        for feature in json.loads(path.read_text())["features"]:
            latitude, longitude = centroid(feature["geometry"])
            rows.append((feature["properties"]["name"], round(latitude, 4), round(longitude, 4)))
    return sorted(rows)


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("district_centroids.csv")
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["district", "latitude", "longitude"])
        writer.writerows(build(source))


if __name__ == "__main__":
    main(sys.argv[1:])
