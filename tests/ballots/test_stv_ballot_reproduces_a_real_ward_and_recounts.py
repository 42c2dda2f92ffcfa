"""End to end: a real Scottish ward's ballots cast one by one, closed, published and recounted."""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from rankandfile.ballots.models import BallotBundle, BallotPaper, Question
from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_close, ballot_open
from rankandfile.counting.blt import parse_blt, read_blt
from rankandfile.counting.recount import main as recount_main
from rankandfile.counting.recount import recount_bundle
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup

DATA = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"
WARD = "aberdeen_2017_ward6"  # the smallest of the 30 wards: 3,217 ballots, 9 candidates, 3 seats


def _rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _change_one_ballot(blt: str) -> str:
    """Give one paper of the first ballot line a different first preference (and nothing else)."""
    lines = blt.split("\n")
    weight, first, *_ = lines[1].split()
    other = "1" if first != "1" else "2"
    changed = f"1 {other} 0"
    if int(weight) > 1:
        lines[1] = " ".join([str(int(weight) - 1), *lines[1].split()[1:]])
        lines.insert(2, changed)
    else:
        lines[1] = changed
    return "\n".join(lines)


@pytest.fixture(scope="module")
def official() -> dict[str, object]:
    return dict(json.loads((DATA / f"{WARD}.official.json").read_text()))


def test_a_ward_cast_through_the_ballot_box_reproduces_the_official_result(
    make_group: MakeGroup, official: dict[str, object], tmp_path: Path
) -> None:
    election = read_blt(DATA / f"{WARD}.blt")
    group = make_group()
    organiser = group.memberships.get().member
    ballot = ballot_make(
        organiser=organiser,
        group=group,
        questions=[
            QuestionInput(
                text="Ward councillors",
                method="scottish-stv",
                choices=election.candidates,
                seats=election.seats,
            )
        ],
    )
    papers = [r for r, n in election.ballots.items() for _ in range(n)]
    random.Random(6).shuffle(papers)
    voters = voters_make(group, len(papers))
    ballot = ballot_open(ballot=ballot)
    for voter, ranking in zip(voters, papers, strict=True):
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": [c + 1 for c in ranking]},
        )
    ballot_close(ballot=ballot, actor=organiser)

    # The published results: the official elected, in order, and every stage total exactly.
    result = Question.objects.get(ballot=ballot).result
    assert result is not None

    def name(blt_index: str | int) -> str:
        return election.candidates[int(blt_index) - 1]

    elected_in_order = official["elected_in_order"]
    stages = official["stages"]
    assert isinstance(elected_in_order, list) and isinstance(stages, list)
    assert result["elected"] == [name(e["blt_index"]) for e in elected_in_order]
    assert Decimal(result["quota"]) == Decimal(str(official["quota"]))
    assert len(result["stages"]) == len(stages)
    for mine, theirs in zip(result["stages"], stages, strict=True):
        for blt_index, total in theirs["totals"].items():
            assert Decimal(str(mine["totals"][name(blt_index)])) == Decimal(str(total))

    # The bundle: ballots sorted by receipt hash, manifest, count sheet; the recount agrees.
    bundle = BallotBundle.objects.get(ballot=ballot).data
    bundle = bytes(bundle)
    files = _unzip(bundle)
    receipts = files["receipts.txt"].decode().split()
    assert receipts == sorted(BallotPaper.objects.values_list("receipt_hash", flat=True))
    meta = json.loads(files["ballot.json"])
    assert (meta["roll_size"], meta["voted"]) == (len(voters) + 1, len(papers))
    assert meta["tie_break_seed"] == ballot.tie_break_seed
    assert meta["questions"][0]["rule_version"] == "2011"
    assert parse_blt(files["questions/1.blt"].decode()).ballots == election.rankings_for_count()
    assert recount_bundle(bundle)[0] == []
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle)
    assert recount_main([str(path)]) == 0
    command = [sys.executable, "-m", "rankandfile", "recount", str(path)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "OK: the manifest matches and every published figure was reproduced." in run.stdout

    # One ballot changed: the manifest no longer matches...
    tampered = dict(files)
    tampered["questions/1.blt"] = _change_one_ballot(files["questions/1.blt"].decode()).encode()
    problems, _ = recount_bundle(_rezip(tampered))
    assert problems[0].startswith("manifest: questions/1.blt: SHA-256 published ")
    # ...and with the manifest regenerated to match, the recount itself disagrees.
    tampered["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {n}\n"
        for n, data in sorted(tampered.items())
        if n != "SHA256SUMS"
    ).encode()
    bad = tmp_path / "tampered.zip"
    bad.write_bytes(_rezip(tampered))
    run = subprocess.run(
        [sys.executable, "-m", "rankandfile", "recount", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "FAILED" in run.stderr
    assert "question 1: stage 1 total for " in run.stderr
    assert ": published " in run.stderr and ", recounted " in run.stderr
    assert "manifest" not in run.stderr
