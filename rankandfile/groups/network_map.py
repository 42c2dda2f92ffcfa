"""Reads for the network map: how many groups the viewer can see in each postcode area.

A count below ``SMALL_COUNT_THRESHOLD`` is never shown, only "fewer than 5": a tiny count of
groups in a thinly covered area, together with other knowledge, can point at the people in them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from rankandfile.groups.models import Group, GroupDistrict
from rankandfile.groups.selectors import SMALL_COUNT_THRESHOLD, Viewer, _visible_q
from rankandfile.lib.geo.areas import area_map, postcode_area_names

# Lower bounds of the map's shades: no groups, fewer than 5, then 5, 20 and 100 or more.
SHADE_FROM = (0, 1, SMALL_COUNT_THRESHOLD, 20, 100)


@dataclass(frozen=True)
class MapArea:
    """One postcode area as the map and its table show it; never the exact count below 5."""

    area: str  # the letters: "LS"
    name: str  # "Leeds", or "" for letters we have no name for
    path: str  # SVG path data in the map's viewBox; "" where the map has no outline
    groups: str  # "12", "fewer than 5" or "no"
    shade: int  # 0 (no groups) to 4 (100 or more)

    @property
    def linked(self) -> bool:
        return self.shade > 0

    @property
    def label(self) -> str:
        """What the area is called on the map: "LS: Leeds, 12 groups"."""
        place = f"{self.area}: {self.name}" if self.name else self.area
        return f"{place}, {self.groups} groups"


@dataclass(frozen=True)
class NetworkMap:
    view_box: str
    licence: str
    areas: list[MapArea]  # every area drawn or with groups, by letters
    inset_view_box: str  # London, closer
    inset_areas: frozenset[str]

    @property
    def drawn(self) -> list[MapArea]:
        return [a for a in self.areas if a.path]

    @property
    def inset(self) -> list[MapArea]:
        return [a for a in self.drawn if a.area in self.inset_areas]

    @property
    def not_drawn(self) -> list[MapArea]:
        """Areas with groups but no outline (Northern Ireland, the Channel Islands, ...)."""
        return [a for a in self.areas if not a.path]


def group_counts_by_area(*, viewer: Viewer) -> dict[str, int]:
    """How many groups the viewer can see (as the directory decides) cover each postcode area:
    a group covering several districts of an area counts once there. One query."""
    visible = Group.objects.filter(_visible_q(viewer)).values("pk")
    rows = (
        GroupDistrict.objects.filter(group_id__in=visible)
        .values("area")
        .annotate(groups=Count("group_id", distinct=True))
        .order_by("area")
    )
    return {row["area"]: row["groups"] for row in rows}


def _shown(count: int) -> str:
    if count == 0:
        return "no"
    return f"fewer than {SMALL_COUNT_THRESHOLD}" if count < SMALL_COUNT_THRESHOLD else str(count)


def groups_by_area(*, viewer: Viewer) -> NetworkMap:
    """The network map for the viewer: every area with an outline, and any other area that
    has groups, each with its count as shown to the public."""
    outlines = area_map()
    names = postcode_area_names()
    counts = group_counts_by_area(viewer=viewer)
    areas = [
        MapArea(
            area=area,
            name=names.get(area, ""),
            path=outlines.paths.get(area, ""),
            groups=_shown(counts.get(area, 0)),
            shade=sum(1 for bound in SHADE_FROM[1:] if counts.get(area, 0) >= bound),
        )
        for area in sorted(set(outlines.paths) | set(counts))
    ]
    return NetworkMap(
        view_box=outlines.view_box,
        licence=outlines.licence,
        areas=areas,
        inset_view_box=outlines.inset_view_box,
        inset_areas=frozenset(outlines.inset_areas),
    )
