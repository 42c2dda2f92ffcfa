from __future__ import annotations

import pytest

from rankandfile.lib.postcodes import (
    PostcodeDistrictError,
    normalise_postcode_district,
    postcode_area,
)


@pytest.mark.parametrize(
    ("given", "district"),
    [
        ("ls6", "LS6"),
        (" M14 ", "M14"),
        ("EC1A", "EC1A"),
        ("w1a", "W1A"),
        ("SW1", "SW1"),
        ("BT48", "BT48"),
        ("G42", "G42"),
    ],
)
def test_districts_are_accepted_in_canonical_form(given: str, district: str) -> None:
    assert normalise_postcode_district(given) == district


@pytest.mark.parametrize("full", ["LS6 1AA", "ls61aa", "EC1A 1BB", "SW1A 2AA", "GIR 0AA"])
def test_full_postcodes_are_refused_with_an_explanation(full: str) -> None:
    with pytest.raises(PostcodeDistrictError, match="full postcode"):
        normalise_postcode_district(full)


@pytest.mark.parametrize("bad", ["", "6LS", "LEEDS", "L", "LS6 1A", "123"])
def test_things_that_are_not_districts_are_refused(bad: str) -> None:
    with pytest.raises(PostcodeDistrictError):
        normalise_postcode_district(bad)


def test_area_is_the_letters_of_the_district() -> None:
    assert postcode_area("LS6") == "LS"
    assert postcode_area("E8") == "E"
