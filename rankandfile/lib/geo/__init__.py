"""Where postcode districts are, roughly: centroids, distances and suggestions. Django-free.

The centroids come from ``district_centroids.csv`` beside this module (see its README for how
it is built, and its attribution and licence).
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
from pathlib import Path

LatLon = tuple[float, float]

_CENTROIDS = Path(__file__).with_name("district_centroids.csv")
EARTH_RADIUS_KM = 6371.0088


@functools.cache
def district_centroids() -> dict[str, LatLon]:
    """Every known district's centroid, read once from the shipped CSV."""
    with _CENTROIDS.open(newline="") as handle:
        return {
            row["district"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def district_centroid(district: str) -> LatLon | None:
    """The centroid of a district (canonical form, ``LS6``), or None if it is not known."""
    return district_centroids().get(district)


def distance_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def districts_near(district: str, radius_km: float) -> dict[str, float]:
    """Known districts within ``radius_km`` of the district's centroid, with their distance."""
    origin = district_centroid(district)
    if origin is None:
        return {}
    near = {}
    for other, point in district_centroids().items():
        distance = distance_km(origin, point)
        if distance <= radius_km:
            near[other] = distance
    return near


def _area(district: str) -> str:
    letters = ""
    for char in district:
        if not char.isalpha():
            break
        letters += char
    return letters


def district_suggestions(text: str, limit: int = 8) -> list[str]:
    """Known districts a member may have meant by an unknown one: close spellings first, then
    districts of the same area letters."""
    wanted = text.strip().upper().replace(" ", "")
    known = district_centroids()
    suggestions = difflib.get_close_matches(wanted, known, n=limit, cutoff=0.6)
    area = _area(wanted)
    same_area = sorted(
        (d for d in known if _area(d) == area),
        key=lambda d: (len(d), d),
    )
    for district in same_area:
        if len(suggestions) >= limit:
            break
        if district not in suggestions:
            suggestions.append(district)
    return suggestions[:limit]


# Points on the unit sphere. The straight-line (chord) distance between two such points grows
# with the great-circle distance between them, so a database can order and filter by it with
# nothing but arithmetic (no trigonometry in SQL, which SQLite lacks), and the exact distance
# in kilometres is worked out afterwards for the few rows shown.
SpherePoint = tuple[float, float, float]


def sphere_point(point: LatLon) -> SpherePoint:
    """The (x, y, z) of a (latitude, longitude) point on the unit sphere."""
    lat, lon = map(math.radians, point)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def chord_for_km(km: float) -> float:
    """The chord on the unit sphere between two points ``km`` apart along the surface."""
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


def km_for_chord(chord: float) -> float:
    """The great-circle distance in kilometres of a chord on the unit sphere."""
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))
