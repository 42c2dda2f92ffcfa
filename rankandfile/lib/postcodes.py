"""UK postcode districts (the outward code, e.g. ``LS6``), never full postcodes.

Members give only their district: it is enough to find local groups and is far less identifying
than a full postcode (a full postcode covers about 15 households). A full postcode is refused,
not truncated, so that the member knows what we keep.
"""

from __future__ import annotations

import re

# Outward code: area (1-2 letters) + district (digit, then optional digit or letter); plus the
# special non-geographic GIR. Matches the Royal Mail / ONS outward-code grammar.
_DISTRICT = re.compile(r"^(?:GIR|[A-Z]{1,2}[0-9][0-9A-Z]?)$")
_FULL_POSTCODE = re.compile(r"^(?:GIR|[A-Z]{1,2}[0-9][0-9A-Z]?)\s*[0-9][A-Z]{2}$")


class PostcodeDistrictError(ValueError):
    """The value is not a postcode district; the message says why, in words for a member."""


def normalise_postcode_district(value: str) -> str:
    """Return the district in canonical form (upper case, no spaces) or raise.

    >>> normalise_postcode_district(" ls6 ")
    'LS6'
    """
    cleaned = re.sub(r"\s+", " ", value.strip().upper())
    if _FULL_POSTCODE.match(cleaned):
        raise PostcodeDistrictError(
            "That is a full postcode. Enter only the first part (the district), for example LS6."
        )
    compact = cleaned.replace(" ", "")
    if not _DISTRICT.match(compact):
        raise PostcodeDistrictError(
            "Enter a UK postcode district: one or two letters, then a number, for example LS6, "
            "M14 or EC1A."
        )
    return compact


# The area of a district: its leading letters. A regular expression that Python and
# PostgreSQL read alike, so that SQL can work an area out as ``postcode_area`` does.
AREA_PATTERN = "^[A-Z]+"


def postcode_area(district: str) -> str:
    """The letters of a district: ``LS6`` -> ``LS``."""
    match = re.match(AREA_PATTERN, district)
    return match.group(0) if match else ""
