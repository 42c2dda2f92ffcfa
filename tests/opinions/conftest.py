"""The four Polis conversations in tests/data/polis, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from rankandfile.opinions.maths import OpinionMap
from rankandfile.opinions.polis_export import PolisExport, map_of_export, read_export

DATA = Path(__file__).resolve().parent.parent / "data" / "polis"
CONVERSATIONS = (
    "15-per-hour-seattle",
    "brexit-consensus",
    "london.youth.policing",
    "vtaiwan.uberx",
)


@pytest.fixture(scope="session")
def exports() -> dict[str, PolisExport]:
    return {name: read_export(DATA / name) for name in CONVERSATIONS}


@pytest.fixture(scope="session")
def maps(exports: dict[str, PolisExport]) -> dict[str, OpinionMap]:
    return {name: map_of_export(export) for name, export in exports.items()}


@pytest.fixture(scope="session")
def latest(exports: dict[str, PolisExport]) -> dict[str, dict[tuple[int, int], int]]:
    """Each participant's last vote on each comment, read from the log in the order cast."""
    result: dict[str, dict[tuple[int, int], int]] = {}
    for name, export in exports.items():
        votes: dict[tuple[int, int], int] = {}
        for participant, comment, vote in export.votes:
            votes[(participant, comment)] = vote
        result[name] = votes
    return result
