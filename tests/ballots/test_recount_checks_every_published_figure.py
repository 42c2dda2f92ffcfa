"""The Django-free recount: bundles for every method, and what a recount catches."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rankandfile.counting.recount import (
    Answer,
    QuestionPapers,
    QuestionSpec,
    bundle_write,
    main,
    recount_bundle,
)

SPECS = [
    QuestionSpec(1, "Strike?", "yesno", 1, 3, "two-thirds", ()),
    QuestionSpec(2, "Banner", "approval", 2, 0, "simple", ("Red", "Black", "Green")),
    QuestionSpec(3, "Chair", "irv", 1, 0, "simple", ("Ann", "Bob", "Cat")),
    QuestionSpec(4, "Committee", "ers97", 2, 0, "simple", ("Ann", "Bob", "Cat", "Dan")),
    QuestionSpec(5, "Delegates", "meek", 2, 0, "simple", ("Ann", "Bob", "Cat", "Dan")),
]
PAPERS: list[list[Answer]] = [
    ["yes", [1, 2], [1, 2], [1, 2, 3], [4, 1]],
    ["yes", [2], [2, 1], [2], [3, 2]],
    ["no", [], [3, 2], [3, 1], [1]],
    ["abstain", [1, 3], [1], [], [2, 4, 3]],
    ["yes", [1], [2, 3], [4, 3], [1, 2]],
]
RECEIPTS = sorted(hashlib.sha256(str(i).encode()).hexdigest() for i in range(len(PAPERS)))


def _bundle() -> bytes:
    questions = [
        QuestionPapers(spec, [paper[i] for paper in PAPERS]) for i, spec in enumerate(SPECS)
    ]
    data, _ = bundle_write(
        ballot={"id": 1, "title": "Test"},
        seed=7,
        roll_size=9,
        receipts=RECEIPTS,
        questions=questions,
    )
    return data


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(files: dict[str, bytes], *, fix_manifest: bool) -> bytes:
    if fix_manifest:
        files = dict(files)
        files["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(d).hexdigest()}  {n}\n"
            for n, d in sorted(files.items())
            if n != "SHA256SUMS"
        ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_bundle_of_every_method_recounts_cleanly_and_is_reproducible() -> None:
    data = _bundle()
    assert data == _bundle()  # same papers, same bytes
    problems, report = recount_bundle(data)
    assert problems == []
    assert report[1] == "On the roll: 9; voted: 5; tie-break seed: 7"
    files = _files(data)
    assert files["questions/1.csv"].decode().splitlines() == [
        "Strike?",
        "yes",
        "yes",
        "no",
        "abstain",
        "yes",
    ]
    assert files["questions/2.csv"].decode().splitlines()[:2] == ["Red,Black,Green", "1,1,0"]
    assert json.loads(files["results/1.json"])["outcome"] == "carried"


def test_a_changed_figure_in_a_count_sheet_is_named() -> None:
    files = _files(_bundle())
    sheet = json.loads(files["results/3.json"])
    name = next(iter(sheet["stages"][0]["totals"]))
    sheet["stages"][0]["totals"][name] += 1
    files["results/3.json"] = json.dumps(sheet).encode()
    problems, _ = recount_bundle(_zip(files, fix_manifest=True))
    published = sheet["stages"][0]["totals"][name]
    assert problems == [
        f"question 3: stage 1 total for {name}: published {published}, recounted {published - 1}"
    ]


def test_a_dropped_paper_and_a_wrong_turnout_are_caught() -> None:
    files = _files(_bundle())
    files["questions/1.csv"] = b"Strike?\nyes\nyes\nno\nabstain\n"
    problems, _ = recount_bundle(_zip(files, fix_manifest=False))
    assert problems[0].startswith("manifest: questions/1.csv: SHA-256 published ")
    problems, _ = recount_bundle(_zip(files, fix_manifest=True))
    assert "question 1: questions/1.csv holds 4 papers, voted 5" in problems
    assert "question 1: stage 1 total for yes: published 3, recounted 2" in problems


def test_a_file_added_to_the_bundle_is_refused_and_the_command_exits_1(tmp_path: Path) -> None:
    files = _files(_bundle())
    files["extra.txt"] = b"hello"
    path = tmp_path / "bundle.zip"
    path.write_bytes(_zip(files, fix_manifest=False))
    assert main([str(path)]) == 1
    path.write_bytes(b"not a zip")
    run = subprocess.run(
        [sys.executable, "-m", "rankandfile", "recount", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "not a zip file" in run.stderr


def test_recount_imports_nothing_from_django() -> None:
    code = (
        "import sys, rankandfile.counting.recount; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_receipts_must_be_given_sorted() -> None:
    with pytest.raises(ValueError, match="sorted"):
        bundle_write(ballot={}, seed=1, roll_size=5, receipts=RECEIPTS[::-1], questions=[])
