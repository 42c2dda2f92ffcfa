"""Write bench/results/SUMMARY.md from bench/results/*.json (``make bench`` runs it last).

One row a figure: its value, the baseline it is compared with (a figure measured in the same
run: a ceiling, a reference implementation), the ratio of the two, the goal and whether it is
met. A figure names its baseline with a ``"baseline"`` key (the name of another figure in the
same file); for the files written before that key existed, BASELINES below says it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

# (benchmark, figure) -> the figure of the same run it is measured against.
BASELINES = {
    ("ballots", "votes_per_second"): "ceiling_votes_per_second",
    ("counting", "scottish_stv_1m_ballots_seconds"): "pyrankvote_stv_1m_ballots_seconds",
    ("opinions", "vtaiwan_uberx_recompute_seconds"): "red_dwarf_vtaiwan_uberx_seconds",
    ("opinions", "synthetic_recompute_seconds"): "red_dwarf_synthetic_seconds",
    ("fanout", "fanout_messages_per_second"): "smtplib_ceiling_messages_per_second",
    ("pledge_surge", "pledges_per_second"): "ceiling_authenticated_writes_per_second",
    ("pledge_surge", "counter_requests_per_second_1m_pledges"): (
        "counter_requests_per_second_1m_pledges_uncached"
    ),
    ("signup_timing", "signup_median_known_email_ms"): "signup_median_new_email_ms",
}


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def rows(benchmark: str, figures: dict[str, Any]) -> list[list[str]]:
    out = []
    for name, figure in figures.items():
        if not isinstance(figure, dict) or "value" not in figure:
            continue
        baseline_name = figure.get("baseline") or BASELINES.get((benchmark, name))
        baseline = figures.get(baseline_name) if baseline_name else None
        base_value = baseline.get("value") if isinstance(baseline, dict) else None
        value = figure["value"]
        ratio = (
            value / base_value
            if isinstance(value, int | float) and isinstance(base_value, int | float) and base_value
            else None
        )
        goal = figure.get("goal")
        met = figure.get("met") if goal not in (None, "reference") else None
        out.append(
            [
                benchmark,
                name,
                f"{_number(value)} {figure.get('unit', '')}".strip(),
                f"{_number(base_value)} ({baseline_name})" if baseline_name else "-",
                _number(round(ratio, 3) if ratio is not None else None),
                goal or "-",
                {True: "met", False: "**not met**", None: "-"}[met],
            ]
        )
    return out


def summary_markdown(results: dict[str, dict[str, Any]]) -> str:
    """The table of every figure of every benchmark's results (name -> the JSON written)."""
    lines = [
        "# Benchmark summary",
        "",
        "Written by `make bench` (bench/summary.py) from bench/results/*.json. Each baseline was",
        "measured in the same run as its figure; the machine's load is in each JSON file.",
        "",
        "| benchmark | figure | value | baseline (same run) | ratio | goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    for benchmark in sorted(results):
        for row in rows(benchmark, results[benchmark].get("figures", {})):
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    results = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    out = RESULTS / "SUMMARY.md"
    out.write_text(summary_markdown(results))
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
