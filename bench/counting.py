"""Benchmark the counting engine; writes bench/results/counting.json.

Run from the repository root: ``python bench/counting.py`` (needs numpy; pyrankvote for the
comparison). It times:

(a) Scottish STV on all the shared Scottish wards in tests/data/stv/scotland-2017 (reading the BLT
    files and counting), checking each elected set against the official result;
(b) Scottish STV on a synthetic, seeded election of 1,000,000 ballots, 20 candidates, 5 seats
    (preferences drawn from a Plackett-Luce model with uneven popularity; ballot lengths 1-20,
    mostly short, as in the real wards), timed from the raw ballot matrix (grouping included);
(c) pyrankvote's ``single_transferable_vote`` on the same 1,000,000 ballots, timed once (its
    Ballot objects are built beforehand and not timed). Setting PYRANKVOTE_SAMPLE=n times it on
    the first n ballots instead and scales linearly (the JSON then says so).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rankandfile.counting.blt import read_blt  # noqa: E402
from rankandfile.counting.scottish_stv import (  # noqa: E402
    count_scottish_stv,
    count_scottish_stv_arrays,
)

DATA = ROOT / "tests" / "data" / "stv" / "scotland-2017"
OUT = ROOT / "bench" / "results" / "counting.json"
SEED = 20170504
BALLOTS = 1_000_000
CANDIDATES = 20
SEATS = 5
PYRANKVOTE_SAMPLE = int(os.environ.get("PYRANKVOTE_SAMPLE", str(BALLOTS)))
REPEATS = 5


def synthetic_ballots(ballots: int, candidates: int, seed: int) -> np.ndarray:
    """A padded ranking matrix (sentinel ``candidates``), one row per ballot."""
    rng = np.random.default_rng(seed)
    popularity = np.log(rng.dirichlet(np.full(candidates, 1.5)))
    # Plackett-Luce via the Gumbel trick: sort popularity plus Gumbel noise.
    keys = popularity + rng.gumbel(size=(ballots, candidates))
    order = np.argsort(-keys, axis=1).astype(np.int8)
    lengths = np.minimum(rng.geometric(0.3, size=ballots), candidates)
    matrix = np.full((ballots, candidates + 1), candidates, dtype=np.int8)
    columns = np.arange(candidates)
    keep = columns[None, :] < lengths[:, None]
    matrix[:, :candidates] = np.where(keep, order, candidates)
    return matrix


def time_call(fn, repeats: int = REPEATS) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_wards() -> dict[str, object]:
    manifest = list(csv.DictReader((DATA / "MANIFEST.csv").open(encoding="utf-8")))

    def count_all() -> list[bool]:
        matches = []
        for row in manifest:
            election = read_blt(DATA / row["ballot_file"])
            result = count_scottish_stv(election, seed=1)
            official = json.loads(
                (DATA / row["ballot_file"].replace(".blt", ".official.json")).read_text()
            )
            wanted = {election.candidates[e["blt_index"] - 1] for e in official["elected_in_order"]}
            matches.append(set(result.elected) == wanted)
        return matches

    seconds, matches = time_call(count_all)
    assert isinstance(matches, list)
    return {"seconds": seconds, "wards": len(manifest), "all_match": all(matches)}


def pyrankvote_time(matrix: np.ndarray, names: tuple[str, ...]) -> tuple[float, float, list[str]]:
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    people = [Candidate(name) for name in names]
    build_start = time.perf_counter()
    ballots = [
        Ballot(ranked_candidates=[people[c] for c in row if c < len(names)]) for row in matrix
    ]
    start = time.perf_counter()
    result = pyrankvote.single_transferable_vote(people, ballots, number_of_seats=SEATS)
    seconds = time.perf_counter() - start
    return seconds, start - build_start, [c.name for c in result.get_winners()]


def main() -> int:
    figures: dict[str, dict[str, object]] = {}
    wards = bench_wards()
    figures["scottish_stv_all_30_wards_seconds"] = {
        "value": round(float(wards["seconds"]), 4),  # type: ignore[arg-type]
        "unit": "s",
        "goal": "<= 1",
        "met": float(wards["seconds"]) <= 1,  # type: ignore[arg-type]
        "note": f"read + count {wards['wards']} wards, median of {REPEATS}; "
        f"elected sets all match official: {wards['all_match']}",
    }

    names = tuple(f"Candidate {i + 1:02d}" for i in range(CANDIDATES))
    matrix = synthetic_ballots(BALLOTS, CANDIDATES, SEED)
    ours_1m, result_1m = time_call(lambda: count_scottish_stv_arrays(matrix, None, names, SEATS))
    figures["scottish_stv_1m_ballots_seconds"] = {
        "value": round(ours_1m, 4),
        "unit": "s",
        "goal": "<= 3",
        "met": ours_1m <= 3,
        "note": f"{BALLOTS} ballots, {CANDIDATES} candidates, {SEATS} seats, seed {SEED}; "
        f"grouping included; median of {REPEATS}; "
        f"{len(result_1m.stages)} stages",  # type: ignore[attr-defined]
    }

    sample = matrix[:PYRANKVOTE_SAMPLE]
    ours_sample, result_sample = (
        (ours_1m, result_1m)
        if len(sample) == BALLOTS
        else time_call(lambda: count_scottish_stv_arrays(sample, None, names, SEATS))
    )
    try:
        theirs_sample, build_seconds, their_winners = pyrankvote_time(sample, names)
    except ImportError:
        figures["speedup_vs_pyrankvote"] = {
            "value": None,
            "unit": "x",
            "goal": ">= 20",
            "met": False,
            "note": "pyrankvote not installed (pip install pyrankvote)",
        }
    else:
        scale = BALLOTS / len(sample)
        theirs_1m = theirs_sample * scale
        speedup = theirs_1m / ours_1m
        ours_set = set(result_sample.elected)  # type: ignore[attr-defined]
        how = (
            "timed on all of them"
            if scale == 1
            else f"timed on the first {len(sample)} ({theirs_sample:.2f} s) and scaled "
            f"linearly x{scale:g}"
        )
        figures["pyrankvote_stv_1m_ballots_seconds"] = {
            "value": round(theirs_1m, 3),
            "unit": "s",
            "goal": "reference",
            "met": True,
            "note": f"pyrankvote {pyrankvote_version()} single_transferable_vote on the same "
            f"ballots, {how}; building its {len(sample)} Ballot objects took a further "
            f"{build_seconds:.2f} s, not counted",
        }
        figures["speedup_vs_pyrankvote"] = {
            "value": round(speedup, 1),
            "unit": "x",
            "goal": ">= 20",
            "met": speedup >= 20,
            "note": "pyrankvote 1,000,000-ballot time / our 1,000,000-ballot time (ours includes "
            "grouping the raw ballot matrix)",
        }
        if scale == 1:
            figures["speedup_vs_pyrankvote"]["note"] += (  # type: ignore[operator]
                f"; elected sets agree: {ours_set == set(their_winners)}"
            )
        else:
            figures["speedup_vs_pyrankvote_same_sample"] = {
                "value": round(theirs_sample / ours_sample, 1),
                "unit": "x",
                "goal": ">= 20",
                "met": theirs_sample / ours_sample >= 20,
                "note": f"both on the same {len(sample)} ballots (ours {ours_sample:.4f} s); "
                f"elected sets agree: {ours_set == set(their_winners)} (pyrankvote counts a "
                "different STV variant, so they may differ)",
            }

    report = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "figures": figures,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def pyrankvote_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyrankvote")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
