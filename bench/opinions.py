"""Benchmark the opinion-map maths; writes bench/results/opinions.json.

Run from the repository root: ``python bench/opinions.py`` (needs numpy, scipy, scikit-learn;
red-dwarf for the baseline: ``pip install -e '.[bench]'``). It times a full recompute
(``rankandfile.opinions.maths.opinion_map``: vote matrix, PCA, clustering, repness, consensus,
group-informed consensus, routing priority) on:

(a) vtaiwan.uberx, the largest shared Polis conversation (tests/data/polis), from its vote log
    in the order cast (median of REPEATS runs);
(b) a synthetic, seeded conversation of 20,000 participants by 10,000 statements with 1,000,000
    votes: three latent camps (50/30/20 %), each statement leaning its own way in each camp,
    a fifth of votes passes (median of SYNTHETIC_REPEATS runs) and its peak memory.

and, in the same run, red-dwarf's full Polis pipeline (``reddwarf.implementations.polis
.run_pipeline``: PCA, k-means with k from 2 to 5 by silhouette, repness, consensus,
group-aware consensus, priority) on the same votes, as the baseline. red-dwarf takes one vote per
participant and statement (it pivots a table), so it gets each participant's latest vote, as
dicts; building that input is not timed.

Every measurement runs in a child process (this script with ``--child``) whose address space is
limited to MEMORY_LIMIT_MB (resource.setrlimit RLIMIT_AS, set once the input is built) and whose
run time is limited to TIME_LIMIT_S; a child that fails or runs out is recorded as such. Peak
memory is the child's peak resident set (ru_maxrss), input and interpreter included.

Both implementations run on one thread (THREADS below sets OpenMP and BLAS to 1): on a small,
shared machine scikit-learn's and BLAS's thread pools wait on each other and on other work, and
the same recompute then takes anywhere from 0.13 s to 1.4 s; on one thread it is steady.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rankandfile.opinions.maths import opinion_map  # noqa: E402
from rankandfile.opinions.polis_export import read_export  # noqa: E402

OUT = ROOT / "bench" / "results" / "opinions.json"
CONVERSATION = ROOT / "tests" / "data" / "polis" / "vtaiwan.uberx"
SEED = 20170617
PARTICIPANTS = 20_000
STATEMENTS = 10_000
VOTES = 1_000_000
CAMPS = (0.5, 0.3, 0.2)
PASS_SHARE = 0.2
REPEATS = 5
SYNTHETIC_REPEATS = 3
MEMORY_LIMIT_MB = 2048
TIME_LIMIT_S = int(os.environ.get("OPINIONS_TIME_LIMIT_S", "600"))
THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# -- the two inputs -------------------------------------------------------------------------


def synthetic_votes(seed: int = SEED) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """1,000,000 distinct (participant, statement, vote) triples in a random order, and each
    participant's latent camp."""
    rng = np.random.default_rng(seed)
    camp = rng.choice(len(CAMPS), size=PARTICIPANTS, p=CAMPS)
    # How strongly each camp leans towards agreeing with each statement (log-odds).
    lean = rng.normal(0.0, 2.0, size=(STATEMENTS, len(CAMPS)))
    cells = np.unique(rng.integers(0, PARTICIPANTS * STATEMENTS, size=int(VOTES * 1.01)))
    cells = rng.permutation(cells)[:VOTES]
    who, what = np.divmod(cells, STATEMENTS)
    agree = rng.random(VOTES) < 1 / (1 + np.exp(-lean[what, camp[who]]))
    vote = np.where(agree, 1, -1)
    vote[rng.random(VOTES) < PASS_SHARE] = 0
    triples = list(zip(who.tolist(), what.tolist(), vote.tolist(), strict=True))
    return triples, camp


def conversation_votes() -> tuple[list[tuple[int, int, int]], frozenset[int]]:
    export = read_export(CONVERSATION)
    return list(export.votes), export.moderated_out


def latest_vote_dicts(votes: list[tuple[int, int, int]]) -> list[dict[str, int]]:
    """red-dwarf's input: one dict per participant and statement, the latest vote."""
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for order, (participant, statement, vote) in enumerate(votes):
        latest[(participant, statement)] = (vote, order)
    return [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": order}
        for (p, s), (v, order) in latest.items()
    ]


# -- one child process: one implementation on one input -------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(implementation: str, case: str, repeats: int) -> dict[str, Any]:
    if case == "vtaiwan":
        votes, moderated = conversation_votes()
    else:
        votes, _ = synthetic_votes()
        moderated = frozenset()
    if implementation == "ours":

        def run() -> dict[int, int]:
            return dict(opinion_map(votes, moderated_out=moderated).groups)
    else:
        from reddwarf.implementations.polis import run_pipeline

        records = latest_vote_dicts(votes)
        del votes

        def run() -> dict[int, int]:
            result = run_pipeline(
                votes=records, mod_out_statement_ids=sorted(moderated), random_state=SEED
            )
            labels = result.participants_df["cluster_id"].dropna()
            return {int(p): int(g) for p, g in labels.items()}

    before_mb = peak_rss_mb()
    limit = MEMORY_LIMIT_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    times = []
    groups: dict[int, int] = {}
    for _ in range(repeats):
        start = time.perf_counter()
        groups = run()
        times.append(time.perf_counter() - start)
    return {
        "seconds": statistics.median(times),
        "runs": len(times),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_recompute_mb": round(before_mb, 1),
        "groups": {str(p): g for p, g in sorted(groups.items())},
    }


def measure(implementation: str, case: str, repeats: int) -> dict[str, Any]:
    """Run ``child`` in a fresh process; {"error": ...} if it fails or runs out of time."""
    command = [sys.executable, __file__, "--child", implementation, case, str(repeats)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT_S * repeats,
            cwd=ROOT,
            env={**os.environ, **THREADS},
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {TIME_LIMIT_S * repeats} s"}
    if done.returncode != 0:
        lines = (done.stderr.strip() or f"exit code {done.returncode}").splitlines()
        return {"error": lines[-1][:300], "exit_code": done.returncode}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- the report --------------------------------------------------------------------------------


def figure(value: float | None, unit: str, goal: str | None, note: str) -> dict[str, Any]:
    if goal is None:
        # A reference has no goal of its own; "met" says only whether it was measured.
        return {
            "value": value,
            "unit": unit,
            "goal": "reference",
            "met": value is not None,
            "note": note,
        }
    op, target = goal.split()
    met = value is not None and (value <= float(target) if op == "<=" else value >= float(target))
    return {"value": value, "unit": unit, "goal": goal, "met": met, "note": note}


def agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    from sklearn.metrics import adjusted_rand_score

    shared = sorted(set(ours["groups"]) & set(theirs["groups"]))
    if not shared:
        return "no participant clustered by both"
    ari = adjusted_rand_score(
        [ours["groups"][p] for p in shared], [theirs["groups"][p] for p in shared]
    )
    return (
        f"groups agree with red-dwarf's on the {len(shared)} participants both cluster: "
        f"adjusted Rand index {ari:.3f}"
    )


def speedup(
    name: str, ours: dict[str, Any], theirs: dict[str, Any], goal: str | None
) -> dict[str, Any]:
    if "error" in ours:
        return figure(None, "x", goal, f"our recompute failed on {name}: {ours['error']}")
    if "error" in theirs:
        return figure(None, "x", goal, f"red-dwarf did not finish on {name}: {theirs['error']}")
    value = round(theirs["seconds"] / ours["seconds"], 1)
    return figure(
        value,
        "x",
        goal,
        f"red-dwarf {theirs['seconds']:.3f} s / ours {ours['seconds']:.3f} s on {name}; "
        + agreement(ours, theirs),
    )


def seconds_figure(result: dict[str, Any], goal: str | None, note: str) -> dict[str, Any]:
    if "error" in result:
        return figure(None, "s", goal, f"{note}; failed: {result['error']}")
    return figure(
        round(result["seconds"], 3), "s", goal, f"{note}; median of {result['runs']} runs"
    )


def main() -> int:
    figures: dict[str, dict[str, Any]] = {}
    ours_taiwan = measure("ours", "vtaiwan", REPEATS)
    theirs_taiwan = measure("reddwarf", "vtaiwan", REPEATS)
    ours_synthetic = measure("ours", "synthetic", SYNTHETIC_REPEATS)
    theirs_synthetic = measure("reddwarf", "synthetic", 1)

    about_taiwan = "vtaiwan.uberx, full recompute from its vote log"
    figures["vtaiwan_uberx_recompute_seconds"] = seconds_figure(ours_taiwan, "<= 1", about_taiwan)
    figures["red_dwarf_vtaiwan_uberx_seconds"] = seconds_figure(
        theirs_taiwan, None, f"red-dwarf {reddwarf_version()} run_pipeline on the same votes"
    )
    figures["speedup_over_red_dwarf_vtaiwan_uberx"] = speedup(
        "vtaiwan.uberx", ours_taiwan, theirs_taiwan, ">= 3"
    )

    about_synthetic = (
        f"synthetic: {PARTICIPANTS} participants x {STATEMENTS} statements, {VOTES} votes, "
        f"{len(CAMPS)} latent camps, seed {SEED}"
    )
    figures["synthetic_recompute_seconds"] = seconds_figure(
        ours_synthetic, "<= 10", about_synthetic
    )
    if "error" not in ours_synthetic:
        figures["synthetic_recompute_peak_memory_mb"] = figure(
            ours_synthetic["peak_rss_mb"],
            "MB",
            f"<= {MEMORY_LIMIT_MB}",
            "peak resident set of the child process (interpreter and the 1,000,000 vote "
            f"tuples included; {ours_synthetic['rss_before_recompute_mb']} MB before the "
            "first recompute)",
        )
        figures["synthetic_groups_found"] = {
            "value": len(set(ours_synthetic["groups"].values())),
            "unit": "groups",
            "goal": "reference",
            "met": True,
            "note": latent_agreement(ours_synthetic),
        }
    figures["red_dwarf_synthetic_seconds"] = seconds_figure(
        theirs_synthetic,
        None,
        f"red-dwarf {reddwarf_version()} run_pipeline, {MEMORY_LIMIT_MB} MB address-space "
        f"limit, {TIME_LIMIT_S} s time limit",
    )
    # Only a goal if red-dwarf finishes the synthetic case within the limits (issue 17).
    figures["speedup_over_red_dwarf_synthetic"] = speedup(
        "synthetic",
        ours_synthetic,
        theirs_synthetic,
        None if "error" in theirs_synthetic else ">= 3",
    )

    report = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "red_dwarf": reddwarf_version(),
            "threads": THREADS,
            "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
        },
        "figures": figures,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def latent_agreement(result: dict[str, Any]) -> str:
    from sklearn.metrics import adjusted_rand_score

    _, camp = synthetic_votes()
    people = sorted(result["groups"], key=int)
    ari = adjusted_rand_score([camp[int(p)] for p in people], [result["groups"][p] for p in people])
    return (
        f"{len(people)} participants clustered; adjusted Rand index with the latent camps {ari:.3f}"
    )


def reddwarf_version() -> str:
    try:
        return version("red-dwarf")
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        parser = argparse.ArgumentParser()
        parser.add_argument("--child", nargs=3, metavar=("IMPLEMENTATION", "CASE", "REPEATS"))
        implementation, case, repeats = parser.parse_args().child
        print(json.dumps(child(implementation, case, int(repeats))))
        sys.exit(0)
    sys.exit(main())
