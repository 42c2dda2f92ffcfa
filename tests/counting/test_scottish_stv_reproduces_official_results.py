"""Scottish STV against the official stage-by-stage results of 30 wards (Scotland, May 2017)."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rankandfile.counting.blt import read_blt
from rankandfile.counting.scottish_stv import count_scottish_stv

DATA = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"
MANIFEST = list(csv.DictReader((DATA / "MANIFEST.csv").open(encoding="utf-8")))
TOLERANCE = {"exact": Decimal("0.00001"), "2dp-rounded": Decimal("0.005")}


def test_all_thirty_wards_are_present() -> None:
    assert len(MANIFEST) == 30


@pytest.mark.parametrize("row", MANIFEST, ids=[r["ballot_file"] for r in MANIFEST])
def test_scottish_stv_reproduces_official_elected_and_every_stage_total(
    row: dict[str, str],
) -> None:
    election = read_blt(DATA / row["ballot_file"])
    official = json.loads((DATA / row["ballot_file"].replace(".blt", ".official.json")).read_text())
    tolerance = TOLERANCE[row["official_stage_totals_vs_recount"]]

    result = count_scottish_stv(election, seed=0)

    def name(blt_index: str | int) -> str:
        return election.candidates[int(blt_index) - 1]

    assert result.quota == Decimal(official["quota"])
    assert result.valid_votes == Decimal(official["valid_poll"])
    assert list(result.elected) == [name(e["blt_index"]) for e in official["elected_in_order"]]
    assert len(result.stages) == len(official["stages"])
    for stage, official_stage in zip(result.stages, official["stages"], strict=True):
        assert len(official_stage["totals"]) == len(election.candidates)
        for blt_index, total in official_stage["totals"].items():
            mine = stage.totals[name(blt_index)]
            assert abs(mine - Decimal(str(total))) <= tolerance, (
                f"stage {stage.number}, {name(blt_index)}: official {total}, counted {mine}"
            )
    assert not result.tie_breaks


@pytest.mark.parametrize("row", MANIFEST[:3], ids=[r["ballot_file"] for r in MANIFEST[:3]])
def test_official_statuses_match_exclusions(row: dict[str, str]) -> None:
    election = read_blt(DATA / row["ballot_file"])
    official = json.loads((DATA / row["ballot_file"].replace(".blt", ".official.json")).read_text())
    result = count_scottish_stv(election, seed=0)
    excluded = {
        election.candidates[c["blt_index"] - 1]
        for c in official["candidates"]
        if c["status"] == "Excluded"
    }
    assert set(result.excluded) == excluded
