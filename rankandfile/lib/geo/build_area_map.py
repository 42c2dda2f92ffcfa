"""Build ``area_map.json``: SVG outlines of the UK postcode areas, from the district polygons.

Usage: ``python -m rankandfile.lib.geo.build_area_map DIR_OF_GEOJSON [OUT.json]``

1. Merge: the districts of an area are merged by dropping every edge that two of its districts
   share (the source polygons share their vertices exactly along common borders), which leaves
   the area's outline as directed edges that chain into rings.
2. Project: longitude is scaled by the cosine of 54.5 degrees north (an equirectangular
   projection centred on Great Britain), latitude is flipped, and the whole fitted to a viewBox
   ``VIEW_HEIGHT`` units high.
3. Simplify without gaps: the outlines are cut into arcs at every vertex where three or more
   borders meet (areas and the sea), so that the border between two neighbours is one arc; each
   arc is simplified once (Douglas-Peucker, ``TOLERANCE`` units) and drawn by both neighbours.
   Rings that shrink to almost nothing (small islands) are left out, but every area keeps at
   least its largest ring.
4. Write: one SVG path (relative commands, coordinates rounded to 0.1 unit) per area, and an
   inset: the viewBox around London's areas, with the areas that reach into it.

Standard library only, deterministic: the same source gives the same file, byte for byte.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

Vertex = tuple[float, float]  # (longitude, latitude), rounded so that shared vertices compare
Point = tuple[float, float]  # projected (x, y) in viewBox units

VIEW_HEIGHT = 1000
MARGIN = 5
TOLERANCE = 0.15  # viewBox units: about 190 m on the ground
SMALLEST_RING = 2.0  # square viewBox units: rings smaller than this are dropped
CENTRE_LATITUDE = 54.5
# London's areas are too small to point at on the whole map: an inset shows them larger.
LONDON = ("E", "EC", "N", "NW", "SE", "SW", "W", "WC")
SHARE_ALIKE = (
    "Derived from the UK postcode district polygons (Wikipedia contributors, via "
    "missinglink/uk-postcode-polygons), CC BY-SA 4.0: "
    "https://creativecommons.org/licenses/by-sa/4.0/"
)


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return [polygon for part in geometry.get("geometries", []) for polygon in _polygons(part)]


def _signed_area(ring: list[Vertex] | list[tuple[int, int]]) -> float:
    """Positive for a ring that turns anticlockwise (with y upwards), by the shoelace formula."""
    pairs = zip(ring, [*ring[1:], ring[0]], strict=True)
    return sum(float(a[0] * b[1] - b[0] * a[1]) for a, b in pairs) / 2


def _district_rings(source: Path) -> dict[str, list[list[Vertex]]]:
    """Every area's district rings, closed, outer rings anticlockwise and holes clockwise."""
    rings: dict[str, list[list[Vertex]]] = defaultdict(list)
    for path in sorted(source.glob("*.geojson")):
        for feature in json.loads(path.read_text())["features"]:
            match = re.match("[A-Z]+", feature["properties"]["name"])
            assert match is not None, feature["properties"]
            for polygon in _polygons(feature["geometry"]):
                for index, coordinates in enumerate(polygon):
                    ring = [(round(p[0], 6), round(p[1], 6)) for p in coordinates]
                    ring = [v for i, v in enumerate(ring) if i == 0 or v != ring[i - 1]]
                    if ring[0] == ring[-1]:
                        ring.pop()
                    if len(ring) < 3:
                        continue
                    anticlockwise = _signed_area(ring) > 0
                    if anticlockwise != (index == 0):
                        ring.reverse()
                    rings[match.group(0)].append(ring)
    return rings


def _area_outline(district_rings: list[list[Vertex]]) -> list[list[Vertex]]:
    """The rings of an area's outline: its districts' edges less those two districts share."""
    edges = [
        (a, b) for ring in district_rings for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    ]
    shared = Counter(frozenset(edge) for edge in edges)
    following: dict[Vertex, list[Vertex]] = defaultdict(list)
    for a, b in edges:
        if shared[frozenset((a, b))] == 1:
            following[a].append(b)
    for nexts in following.values():
        nexts.sort(reverse=True)  # deterministic choice where an outline touches itself
    outline = []
    for start in sorted(following):
        while following[start]:
            ring = [start]
            vertex = following[start].pop()
            while vertex != start and following[vertex]:
                ring.append(vertex)
                vertex = following[vertex].pop()
            if len(ring) >= 3:
                outline.append(ring)
    return outline


def _projection(outlines: dict[str, list[list[Vertex]]]) -> tuple[Any, float, float]:
    """A function from (longitude, latitude) to viewBox units, and the viewBox's size."""
    scale_x = math.cos(math.radians(CENTRE_LATITUDE))
    vertices = [v for rings in outlines.values() for ring in rings for v in ring]
    west = min(v[0] for v in vertices) * scale_x
    east = max(v[0] for v in vertices) * scale_x
    south = min(v[1] for v in vertices)
    north = max(v[1] for v in vertices)
    units = (VIEW_HEIGHT - 2 * MARGIN) / (north - south)

    def project(vertex: Vertex) -> Point:
        return (
            (vertex[0] * scale_x - west) * units + MARGIN,
            (north - vertex[1]) * units + MARGIN,
        )

    width = math.ceil((east - west) * units + 2 * MARGIN)
    return project, width, VIEW_HEIGHT


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: the fewest of the points, ends kept, within ``tolerance`` of the line."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            distance = _distance_to_segment(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _junctions(outlines: dict[str, list[list[Vertex]]]) -> set[Vertex]:
    """Vertices where three or more borders meet (or fewer than two: the ends of a line)."""
    neighbours: dict[Vertex, set[Vertex]] = defaultdict(set)
    for rings in outlines.values():
        for ring in rings:
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                neighbours[a].add(b)
                neighbours[b].add(a)
    return {vertex for vertex, near in neighbours.items() if len(near) != 2}


def _arcs(ring: list[Vertex], junctions: set[Vertex]) -> list[list[Vertex]]:
    """The ring cut at its junctions (at its least vertex if it has none), each arc from one
    cut to the next, both ends included."""
    cuts = [i for i, vertex in enumerate(ring) if vertex in junctions]
    if not cuts:
        cuts = [ring.index(min(ring))]
    start = cuts[0]
    rotated = ring[start:] + ring[:start] + [ring[start]]
    offsets = [i - start for i in cuts] + [len(ring)]
    return [rotated[a : b + 1] for a, b in itertools.pairwise(offsets)]


def _ring_points(
    ring: list[Vertex],
    junctions: set[Vertex],
    project: Any,
    simplified: dict[tuple[Vertex, ...], list[Point]],
) -> list[tuple[int, int]]:
    """The ring simplified arc by arc (each shared arc once), in tenths of a unit."""
    points: list[Point] = []
    for arc in _arcs(ring, junctions):
        key = min(tuple(arc), tuple(reversed(arc)))
        if key not in simplified:
            simplified[key] = simplify([project(v) for v in key], TOLERANCE)
        line = simplified[key] if key == tuple(arc) else list(reversed(simplified[key]))
        points += line[:-1]
    tenths = [(round(x * 10), round(y * 10)) for x, y in points]
    return [p for i, p in enumerate(tenths) if p != tenths[i - 1]] if len(tenths) > 1 else []


def _number(tenths: int) -> str:
    """A coordinate in tenths of a unit, written as SVG numbers are shortest: 12 -> "1.2",
    -5 -> "-.5", 30 -> "3"."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _path(rings: list[list[tuple[int, int]]]) -> str:
    """An SVG path of closed rings, each a moveto and relative linetos."""
    parts = []
    x = y = 0
    for ring in rings:
        commands = []
        for index, (px, py) in enumerate(ring):
            dx, dy = px - x, py - y
            pair = f"{_number(dx)}{'' if dy < 0 else ' '}{_number(dy)}"
            commands.append(("m" if index == 0 else "l" if index == 1 else " ") + pair)
            x, y = px, py
        parts.append("".join(commands).replace(" -", "-") + "z")
        x, y = ring[0]  # after "z" the current point is the ring's first point
    return "".join(parts)


def build(source: Path) -> dict[str, Any]:
    outlines = {
        area: _area_outline(rings) for area, rings in sorted(_district_rings(source).items())
    }
    project, width, height = _projection(outlines)
    junctions = _junctions(outlines)
    simplified: dict[tuple[Vertex, ...], list[Point]] = {}
    paths = {}
    boxes = {}
    for area, rings in outlines.items():
        drawn = [_ring_points(ring, junctions, project, simplified) for ring in rings]
        drawn = sorted((r for r in drawn if len(r) >= 3), key=lambda r: -abs(_signed_area(r)))
        largest, rest = drawn[0], drawn[1:]
        kept = [largest] + [r for r in rest if abs(_signed_area(r)) >= SMALLEST_RING * 100]
        paths[area] = _path(kept)
        boxes[area] = _box([p for ring in kept for p in ring])
    return {
        "licence": SHARE_ALIKE,
        "viewBox": f"0 0 {width} {height}",
        "areas": paths,
        "inset": _inset(boxes, LONDON),
    }


Box = tuple[int, int, int, int]  # west, north, east, south in tenths of a unit


def _box(points: list[tuple[int, int]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _inset(boxes: dict[str, Box], areas: tuple[str, ...]) -> dict[str, Any]:
    """A viewBox around ``areas`` (a little wider), and every area that reaches into it."""
    west = min(boxes[a][0] for a in areas) - 10
    north = min(boxes[a][1] for a in areas) - 10
    east = max(boxes[a][2] for a in areas) + 10
    south = max(boxes[a][3] for a in areas) + 10
    reaching = [
        area
        for area, (w, n, e, s) in sorted(boxes.items())
        if w < east and e > west and n < south and s > north
    ]
    view_box = " ".join(_number(v) for v in (west, north, east - west, south - north))
    return {"viewBox": view_box, "areas": reaching, "focus": list(areas)}


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("area_map.json")
    out.write_text(json.dumps(build(source), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
