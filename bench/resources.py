"""Benchmark the resource hub's full-text search; writes bench/results/resources.json.

Run from the repository root (PostgreSQL reachable at ``BENCH_POSTGRES``, default
``postgres://postgres@127.0.0.1:5432``)::

    .venv/bin/python bench/resources.py

For each database (SQLite, the embedded default, in a temporary file; PostgreSQL in a fresh
database dropped at the end), in a child process of its own, it migrates, bulk-inserts 10,000
resources (seeded: 6-word titles, 15-word summaries and 120-word texts, a half, a fifth and a
tenth of their words from an organising vocabulary of 66 words, the rest from 3,000 made-up
ones; 90 %
approved, a quarter in one of 40 groups, a third of those for members only, helpful counts
0-99), and then times what the hub's page does for a search: ``resources_search`` for a member
of two groups, the count and the first page of 20 with their issues (the page's queries, not
the template). Each of QUERIES is run REPEATS times after one warm-up; the figure is the
median over all runs, in milliseconds, with the number of queries one search makes.

The baseline, in the same run on the same data: the same filters and page with the words
matched by ``icontains`` on title, summary and text (a LIKE scan of every row, what the hub
would do without a full-text index). Its median over ours is the speed-up.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib

RESOURCES = 10_000
GROUPS = 40
PER_PAGE = 20
REPEATS = 5
SEED = 20
GOAL_MS = 50
QUERIES = [
    "housing",
    "rent strike",
    "union organising",
    "zero hours contract",
    "ballot",
    "climate transport",
    "organis",
    "health service cuts",
    "meeting",
    "tenants repairs council",
    "no such words anywhere",
    "workplace",
]
VOCABULARY = (
    "housing rent strike tenants repairs council union organising workplace branch meeting "
    "motion ballot vote members democracy health service hospital ward nurses cuts school "
    "education climate transport buses bills jobs wages pay zero hours contract welfare "
    "benefits rights equality leaflet poster stall petition campaign demand leadership report "
    "publish conference delegate slate chair agenda minutes treasurer volunteers neighbours "
    "street estate landlord eviction deposit organiser training safety online accessible"
)
WORDS = VOCABULARY.split()


FILLER_WORDS = 3_000


def _filler(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(FILLER_WORDS)
    ]


def _text(rng: random.Random, filler: list[str], n: int, topical: float) -> str:
    """``n`` words, a share ``topical`` of them from the organising vocabulary, the rest from
    a pool of made-up words (as the everyday words of real texts, which searches seldom ask
    for)."""
    return " ".join(
        rng.choice(WORDS) if rng.random() < topical else rng.choice(filler) for _ in range(n)
    )


def _fill(rng: random.Random) -> Any:
    from django.db import connection
    from django.utils import timezone

    from rankandfile.accounts.models import User
    from rankandfile.groups.models import Group, Membership
    from rankandfile.resources.models import Resource

    author = User.objects.create_user("author@example.org", "x", display_name="Author")
    reader = User.objects.create_user("reader@example.org", "x", display_name="Reader")
    groups = Group.objects.bulk_create(
        Group(name=f"Group {n}", slug=f"group-{n}", kind="local_branch") for n in range(GROUPS)
    )
    Membership.objects.bulk_create(Membership(group=g, member=reader) for g in groups[:2])
    now = timezone.now()
    kinds = ["article", "link", "video", "file", "reading_list", "toolkit"]
    rows = []
    filler = _filler(rng)
    for n in range(RESOURCES):
        title = _text(rng, filler, 6, 0.5).capitalize()
        summary, body = _text(rng, filler, 15, 0.2), _text(rng, filler, 120, 0.1)
        approved = rng.random() < 0.9
        in_group = rng.random() < 0.25
        kind = rng.choice(kinds)
        rows.append(
            Resource(
                kind=kind,
                title=title,
                summary=summary,
                body=body,
                url="https://example.org/r" if kind in ("link", "video") else "",
                file=f"resources/{n:032x}.pdf" if kind == "file" else "",
                group=rng.choice(groups) if in_group else None,
                audience="members" if in_group and rng.random() < 0.33 else "public",
                author=author,
                state="approved" if approved else "pending",
                moderated_at=now if approved else None,
                helpful_count=rng.randint(0, 99),
                search_document=f"{title}\n{summary}\n{body}",
            )
        )
    Resource.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a day's contributions
    return reader


def _page(resources: Any) -> int:
    from django.core.paginator import Paginator

    page = Paginator(resources, PER_PAGE).get_page(1)
    rows = list(page.object_list)
    for row in rows:
        list(row.issues.all())
    return int(page.paginator.count)


def _baseline(viewer: Any, text: str) -> Any:
    """The same search without the full-text index: every word by ``icontains``."""
    from django.db.models import Q

    from rankandfile.resources import selectors

    resources = selectors.resources_search(viewer=viewer)
    for word in text.split():
        resources = resources.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return resources


def _time(search: Any) -> tuple[list[float], int, dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    found: dict[str, int] = {}
    queries = 0
    for text in QUERIES:
        _page(search(text))  # warm-up
        for _ in range(REPEATS):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                found[text] = _page(search(text))
            timings.append((time.perf_counter() - start) * 1000)
            queries = max(queries, len(captured))
    return timings, queries, found


def child(vendor: str) -> None:
    from rankandfile.resources import selectors

    rng = random.Random(SEED)
    reader = _fill(rng)
    ours, queries, found = _time(lambda text: selectors.resources_search(viewer=reader, text=text))
    base, base_queries, base_found = _time(lambda text: _baseline(reader, text))
    print(
        json.dumps(
            {
                "ours_ms": ours,
                "queries": queries,
                "found": found,
                "baseline_ms": base,
                "baseline_queries": base_queries,
                "baseline_found": base_found,
            }
        )
    )


def _run_child(vendor: str, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", vendor],
        env=env,
        cwd=benchlib.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=benchlib.ROOT,
        check=True,
    )


def measure_sqlite() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SQLITE_PATH": str(Path(folder) / "bench.sqlite3"), "DEBUG": "0"}
        env.pop("DATABASE_URL", None)
        _migrate(env)
        return _run_child("sqlite", env)


def measure_postgresql() -> dict[str, Any]:
    database = f"rankandfile_bench_resources_{os.getpid()}"
    benchlib.admin_sql(f'CREATE DATABASE "{database}"')
    try:
        env = benchlib.environment(database)
        _migrate(env)
        return _run_child("postgresql", env)
    finally:
        benchlib.admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _figures(vendor: str, run: dict[str, Any]) -> dict[str, Any]:
    ours = statistics.median(run["ours_ms"])
    base = statistics.median(run["baseline_ms"])
    runs = f"median of {len(run['ours_ms'])} searches ({len(QUERIES)} queries x {REPEATS})"
    return {
        f"{vendor}_search_median_ms": benchlib.figure(
            round(ours, 2),
            "ms",
            f"<= {GOAL_MS}",
            note=f"{RESOURCES:,} resources; count and first page of {PER_PAGE} with issues, "
            f"for a member of two groups; {runs}; p95 "
            f"{statistics.quantiles(run['ours_ms'], n=20)[-1]:.2f} ms",
            queries_per_search=run["queries"],
            found=run["found"],
        ),
        f"{vendor}_baseline_icontains_median_ms": benchlib.figure(
            round(base, 2),
            "ms",
            None,
            note="the same search with every word matched by icontains on title, summary and "
            f"text (no full-text index); {runs}",
            queries_per_search=run["baseline_queries"],
            found=run["baseline_found"],
        ),
        f"{vendor}_speedup_over_baseline": benchlib.figure(
            round(base / ours, 1), "x", None, note="baseline median / full-text median"
        ),
    }


def main() -> None:
    figures = {
        **_figures("sqlite", measure_sqlite()),
        **_figures("postgresql", measure_postgresql()),
    }
    out = benchlib.write_results("resources", figures)
    for name, value in figures.items():
        print(f"{name}: {value['value']} {value['unit']}")
    print(f"written to {out}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankandfile.settings")
        import django

        django.setup()
        child(sys.argv[2])
    else:
        main()
