"""``rankandfile opinion-map DIR --json`` prints the map as one JSON object, without Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.opinions.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rankandfile", "opinion-map", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_the_command_prints_groups_consensus_repness_and_group_informed_consensus() -> None:
    done = run(str(DATA / "brexit-consensus"), "--json")

    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert set(printed) == {"groups", "consensus", "repness", "group_informed_consensus"}
    assert set(printed["groups"].values()) == {0, 1}
    assert all(key.isdigit() for key in printed["groups"])
    assert set(printed["consensus"]) == {"agree", "disagree"}
    assert all(isinstance(c, int) for c in printed["consensus"]["agree"])
    assert set(printed["repness"]) == {"0", "1"}
    for chosen in printed["repness"].values():
        assert chosen, "every group has a statement that represents it"
        for item in chosen:
            assert set(item) == {"comment", "direction"}
            assert item["direction"] in {"agree", "disagree"}
    assert all(0 < value <= 1 for value in printed["group_informed_consensus"].values())


def test_the_command_does_not_load_django() -> None:
    folder = str(DATA / "london.youth.policing")
    code = (
        "import sys, io, contextlib\n"
        "from rankandfile.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['opinion-map', {folder!r}, '--json']) == 0\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_folder_without_comments_is_refused_with_a_message(tmp_path: Path) -> None:
    done = run(str(tmp_path), "--json")

    assert done.returncode == 2
    assert "comments.csv" in done.stderr
