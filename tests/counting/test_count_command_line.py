"""``rankandfile count``: JSON and table output, options, and clean errors for bad files."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from rankandfile.counting.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
WARD = ROOT / "tests" / "data" / "stv" / "scotland-2017" / "aberdeen_2017_ward1.blt"


def test_json_output_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(WARD), "--method", "scottish-stv", "--json", "--seed", "4"]) == 0
    data = json.loads(capsys.readouterr().out, parse_float=Decimal)
    assert data["method"] == "scottish-stv"
    assert data["seats"] == 4
    assert data["quota"] == Decimal("1322.00000")
    assert data["elected"] == [
        "Avril MACKENZIE (Con)",
        "Neil MACGREGOR (SNP)",
        "Barney CROCKETT (Lab)",
        "Gill SAMARAI (SNP)",
    ]
    assert data["excluded"][0] == "Graeme Stephen LAWRENCE (Lab)"
    assert [s["action"] for s in data["stages"]][:3] == [
        "first-preferences",
        "surplus",
        "surplus",
    ]
    assert data["stages"][1]["totals"]["Barney CROCKETT (Lab)"] == Decimal("806.07214")
    assert data["seed"] == 4


@pytest.mark.parametrize("method", ["ers97", "meek", "irv", "approval"])
def test_every_ranked_method_counts_a_blt_file(
    method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(WARD), "--method", method, "--json", "--seed", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == method
    assert data["elected"]


def test_seats_option_overrides_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(WARD), "--method", "scottish-stv", "--seats", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seats"] == 2
    assert len(data["elected"]) == 2


def test_table_output_shows_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(WARD), "--method", "scottish-stv"]) == 0
    out = capsys.readouterr().out
    assert "Quota: 1322.00000" in out
    assert "806.07214" in out
    assert "Stage 6: exclusion Coral DUTHIE (Ind)" in out


def test_yes_no_with_quorum_and_two_thirds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballots = tmp_path / "motion.csv"
    ballots.write_text("vote,weight\nyes,20\nno,10\nabstain,5\n")
    args = [str(ballots), "--method", "yesno", "--majority", "two-thirds", "--json"]
    assert main([*args, "--quorum", "30"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "carried"
    assert main([*args, "--quorum", "36"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "inquorate"


def test_approval_csv_with_k_winners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ballots = tmp_path / "committee.csv"
    ballots.write_text("Ann,Bob,Cat\n1,1,\n1,,1\n,1,\n")
    assert main([str(ballots), "--method", "approval", "--seats", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["elected"] == ["Ann", "Bob"]
    assert data["stages"][0]["totals"] == {"Ann": 2, "Bob": 2, "Cat": 1}


def test_malformed_file_exits_2_with_the_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n2 1 2 0\n1 1=3 0\n0\nA\nB\nC\n")
    assert main([str(bad), "--method", "meek"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "line 3: equal rankings" in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.blt"), "--method", "irv"]) == 2
    assert "nope.blt" in capsys.readouterr().err


def test_python_dash_m_entry_point_runs_without_django() -> None:
    code = (
        "import sys, runpy; sys.argv = ['x', sys.argv[1], '--method', 'irv', '--json'];"
        "\ntry:\n    runpy.run_module('rankandfile.counting', run_name='__main__')"
        "\nexcept SystemExit as e:\n    assert e.code == 0, e.code"
        "\nassert 'django' not in sys.modules"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(WARD)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["method"] == "irv"


def test_counting_package_imports_nothing_from_django_or_the_project() -> None:
    for path in (ROOT / "rankandfile" / "counting").glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                assert "django" not in stripped, f"{path.name}: {stripped}"
                if "rankandfile" in stripped:
                    assert "rankandfile.counting" in stripped, f"{path.name}: {stripped}"


def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(WARD), "--method", "irv", "--seats", "2"]) == 2
    assert main([str(WARD), "--method", "meek", "--seats", "0"]) == 2
    assert main([str(WARD), "--method", "meek", "--tolerance", "abc"]) == 2
    with pytest.raises(SystemExit) as caught:
        main([str(WARD), "--method", "borda"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
