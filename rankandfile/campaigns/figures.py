"""What a stage's published breakdown says: noise, rounding, suppression and area folding.

Pure: no Django (OpenDP and the postcode helper only). ``figures_draw`` takes the exact figures
of a stage (read by the release job) and a noise source, and returns the values to publish.
The rule, and why it holds against an attacker who pledges with fake accounts, vouches as an
organiser, knows members' districts and reads every figure as often as they like, is in
SECURITY.md ("Published figures").

- Every count gets noise from the discrete Laplace mechanism of OpenDP (``make_laplace`` on
  integers), with a scale that gives each kind of figure a privacy loss of ``EPSILON`` per
  release for any one pledge: one pledge moves a head count by at most 1, the option counts by
  at most the number of options together (so their scale is that many times larger), and the
  area counts by 1 together (a pledge is in one area).
- Money at stake counts each pledge's amount up to ``AMOUNT_CAP_PENCE``, so that one pledge
  moves it by at most that; it is rounded to ``AMOUNT_ROUNDING_PENCE`` and withheld whenever a
  count of an option that asks an amount is.
- A noisy count is withheld under ``SMALL_COUNT``, and never shown within ``SMALL_COUNT`` of
  the number of people who had pledged (people minus vouched, say, is never under 5).
- Areas: an area is listed on its own only if it has ``AREA_MIN_MEMBERS`` members on the
  platform, whatever its pledges; the rest are counted together as "other areas". Which areas
  are listed therefore says nothing about who pledged.

Each decision after the noise is made on noisy values and public counts only, so it reveals no
more than the noisy values themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from opendp.domains import atom_domain
from opendp.measurements import make_laplace
from opendp.metrics import absolute_distance
from opendp.mod import Measurement, enable_features

from rankandfile.lib.postcodes import postcode_area

# OpenDP's constructors, the Laplace mechanism among them, are "contrib" features: written and
# tested by the project but not yet through its formal proof review; the library asks for the
# opt-in. (Imported module by module: opendp.prelude also imports OpenDP's scikit-learn, polars
# and numpy extras, most of a second of CPU in every app server process.)
enable_features("contrib")

SMALL_COUNT = 5
EPSILON = 0.5  # privacy loss per kind of figure, per release, for any one pledge
AREA_MIN_MEMBERS = 50
AMOUNT_CAP_PENCE = 500_00
AMOUNT_ROUNDING_PENCE = 100_00
OTHER_AREAS = ""  # the name under which the areas too small to list are counted together

# (figure name, exact value, noise scale) -> the value with its noise. Names: "verified",
# "confirmed", "amount", "option:<key>", "area:<area>", and "area:" for the other areas.
Noise = Callable[[str, int, float], int]


def laplace_measurement(scale: float) -> Measurement:
    """OpenDP's discrete Laplace mechanism on one integer count (sensitivity measured in 1s)."""
    return make_laplace(atom_domain(T=int), absolute_distance(T=int), scale=scale)


def laplace_noise(name: str, value: int, scale: float) -> int:
    """The noise used in production: a fresh draw from OpenDP for each released value."""
    return int(laplace_measurement(scale)(value))


def count_scale() -> float:
    return 1 / EPSILON


def options_scale(number_of_options: int) -> float:
    return max(number_of_options, 1) / EPSILON


def amount_scale() -> float:
    return AMOUNT_CAP_PENCE / EPSILON


@dataclass(frozen=True)
class ExactFigures:
    """A stage's exact figures, as the tallies hold them (never published as they are)."""

    people: int
    verified: int
    confirmed: int
    amount_capped_pence: int  # the sum of each pledge's amount, each counted up to the cap
    options: Mapping[str, int]  # option key -> pledges, in the stage's order
    amount_options: frozenset[str]  # keys of the options that ask an amount
    areas: Mapping[str, int]  # postcode area ("" unknown) -> pledges
    members_by_area: Mapping[str, int]  # postcode area -> members of the platform


@dataclass(frozen=True)
class PublishedValues:
    verified: int | None
    confirmed: int | None
    amount_pence: int | None
    options: dict[str, int | None]
    areas: list[tuple[str, int | None]]  # listed areas, then OTHER_AREAS; None: withheld


def shown_count(noisy: int, people: int) -> int | None:
    """A noisy count as published: withheld under SMALL_COUNT, and held at least SMALL_COUNT
    below the people count, so that neither it nor people minus it is ever under 5."""
    if noisy < SMALL_COUNT or people - SMALL_COUNT < SMALL_COUNT:
        return None
    return min(noisy, people - SMALL_COUNT)


def listed_areas(members_by_area: Mapping[str, int]) -> list[str]:
    """The areas published on their own: chosen by members on the platform, never by pledges."""
    return sorted(a for a, n in members_by_area.items() if a and n >= AREA_MIN_MEMBERS)


def figures_draw(exact: ExactFigures, noise: Noise) -> PublishedValues:
    """Draw one release's published values from the exact figures."""

    def count(name: str, value: int, scale: float) -> int | None:
        return shown_count(noise(name, value, scale), exact.people)

    options = {
        key: count(f"option:{key}", n, options_scale(len(exact.options)))
        for key, n in exact.options.items()
    }
    amount: int | None = None
    if exact.amount_options and all(options[key] is not None for key in exact.amount_options):
        noisy = noise("amount", exact.amount_capped_pence, amount_scale())
        rounded = round(noisy / AMOUNT_ROUNDING_PENCE) * AMOUNT_ROUNDING_PENCE
        amount = rounded if rounded > 0 else None
    return PublishedValues(
        verified=count("verified", exact.verified, count_scale()),
        confirmed=count("confirmed", exact.confirmed, count_scale()),
        amount_pence=amount,
        options=options,
        areas=_areas_draw(exact, count),
    )


def _areas_draw(
    exact: ExactFigures, count: Callable[[str, int, float], int | None]
) -> list[tuple[str, int | None]]:
    listed = listed_areas(exact.members_by_area)
    if not listed:
        return []  # "other areas" alone would be the whole count again
    others = sum(n for area, n in exact.areas.items() if area not in listed)
    drawn = [
        (area, count(f"area:{area}", exact.areas.get(area, 0), count_scale())) for area in listed
    ]
    drawn.sort(key=lambda row: (-(row[1] or 0), row[0]))
    return [*drawn, (OTHER_AREAS, count(f"area:{OTHER_AREAS}", others, count_scale()))]


def areas_by_postcode_area(members_by_district: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Members per postcode area from members per district (``LS6`` counts for ``LS``)."""
    areas: dict[str, int] = {}
    for district, n in members_by_district:
        area = postcode_area(district)
        areas[area] = areas.get(area, 0) + n
    return areas
