"""Benchmark the group directory's nearest-first search; writes bench/results/directory.json.

Run from the repository root: ``python bench/directory.py``. It measures on SQLite (a
temporary file) and on PostgreSQL (a throw-away database on the server of DATABASE_URL, or of
BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432), each in a child process of its
own (this script with ``--child sqlite|postgresql``), in one run. Each child migrates a fresh
database and builds 10,000 groups spread at random (seeded) over the real postcode districts
of the centroid table, two districts and one issue each, a quarter of them hidden, and a
member who belongs to 200 of them. Then, as that member, from SEARCHES random known districts:

- through the selector (``groups.selectors.directory_search``: the count, the first page of
  50 groups, their districts, issues and member counts):
  nearest first from a district; with a 25 km radius; with a 50 km radius and a word searched
  in full text; and a word alone (ranked, no district);
- through the directory page (Django's test client: URL routing, form, template, the same
  queries plus the session's), nearest first with a 25 km radius;
- baselines in the same run: a bare count of the groups, and the plain directory page (no
  filter, by name), with the nearest-first page's median as a ratio of the plain page's.

Median and 95th percentile of SEARCHES searches each, after WARMUP unmeasured ones. Goal:
under 50 ms per search at the median on SQLite and PostgreSQL. Other work on this shared
machine shows up in the figures: the load average is recorded.
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
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "directory.json"

GROUPS = int(os.environ.get("DIRECTORY_GROUPS", "10000"))
SEARCHES = int(os.environ.get("DIRECTORY_SEARCHES", "200"))
WARMUP = 20
SEED = 19
GOAL_MS = 50
WORDS = ["tenants", "nurses", "renters", "organising", "singing", "cycling", "unions", "arts"]
POSTGRES = os.environ.get(
    "DATABASE_URL", os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
)


# -- in the child: one database -------------------------------------------------------------


def _build(rng: random.Random) -> Any:
    """GROUPS groups in bulk (the FTS5 triggers and the GIN index keep up as rows arrive)."""
    from rankandfile.accounts.models import IssueTag, User
    from rankandfile.groups.models import Group, GroupDistrict, GroupKind, Membership, Visibility
    from rankandfile.lib.geo import district_centroids

    districts = sorted(district_centroids())
    kinds = [k.value for k in GroupKind]
    visibilities = [Visibility.PUBLIC, Visibility.PUBLIC, Visibility.LISTED, Visibility.HIDDEN]
    groups = Group.objects.bulk_create(
        (
            Group(
                name=f"{rng.choice(WORDS).title()} of {rng.choice(districts)} {i}",
                slug=f"group-{i}",
                kind=rng.choice(kinds),
                visibility=visibilities[i % len(visibilities)],
                description=f"We are {rng.choice(WORDS)} and {rng.choice(WORDS)} together.",
            )
            for i in range(GROUPS)
        ),
        batch_size=1000,
    )
    GroupDistrict.objects.bulk_create(
        (
            GroupDistrict.covering(group=group, district=district)
            for group in groups
            for district in rng.sample(districts, 2)
        ),
        batch_size=2000,
    )
    issues = list(IssueTag.objects.all())
    Group.issues.through.objects.bulk_create(
        (Group.issues.through(group=group, issuetag=rng.choice(issues)) for group in groups),
        batch_size=2000,
    )
    member = User.objects.create_user("bench@example.org", None, display_name="Bench")
    Membership.objects.bulk_create(Membership(group=g, member=member) for g in groups[:200])
    return member


def _timed(run: Callable[[int], object], origins: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds (this process's: on SQLite the database's work too, on
    PostgreSQL only the client's) of each search."""
    for i in range(WARMUP):
        run(i)
    wall, cpu = [], []
    for i in range(len(origins)):
        started, started_cpu = time.perf_counter(), time.process_time()
        run(i)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def child(database: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from rankandfile.groups.models import Group
    from rankandfile.groups.selectors import directory_search
    from rankandfile.lib.geo import district_centroids

    call_command("migrate", verbosity=0)
    # Without DEBUG, pages name static files by the hashes collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(SEED)
    started = time.perf_counter()
    member = _build(rng)
    build_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    origins = rng.sample(sorted(district_centroids()), SEARCHES)
    words = [rng.choice(WORDS) for _ in origins]
    client = Client(secure=True)
    client.force_login(member)
    found: list[int] = []

    def search(**kwargs: Any) -> Callable[[int], object]:
        def run(i: int) -> object:
            place = origins[i % len(origins)]
            word = words[i % len(words)]
            args = {
                k: (place if v == "{place}" else word if v == "{word}" else v)
                for k, v in kwargs.items()
            }
            result = directory_search(viewer=member, **args)
            found.append(result.page.paginator.count)
            return result.groups

        return run

    def page(query: dict[str, str]) -> Callable[[int], object]:
        def run(i: int) -> object:
            place = origins[i % len(origins)]
            response = client.get(
                "/groups/", {k: v.replace("{place}", place) for k, v in query.items()}
            )
            assert response.status_code == 200
            return response

        return run

    measured: dict[str, list[float]] = {}
    measured_cpu: dict[str, list[float]] = {}
    counts: dict[str, float] = {}

    def measure(name: str, run: Callable[[int], object]) -> None:
        found.clear()
        measured[name], measured_cpu[name] = _timed(run, origins)
        if found:
            counts[name] = round(statistics.median(found), 1)

    measure("nearest_first", search(place="{place}"))
    measure("nearest_first_within_25_km", search(place="{place}", radius_km=25))
    measure(
        "nearest_first_within_50_km_with_a_word",
        search(place="{place}", radius_km=50, text="{word}"),
    )
    measure("a_word_alone_ranked", search(text="{word}"))
    measure("page_nearest_first_within_25_km", page({"place": "{place}", "radius_km": "25"}))
    measure("page_plain_directory", page({}))
    measure("count_of_groups", lambda i: Group.objects.count())

    figures: dict[str, Any] = {}
    for name, times in measured.items():
        reference = name in ("page_plain_directory", "count_of_groups")
        goal = None if reference else f"<= {GOAL_MS}"
        notes = {"groups_found_median": counts[name]} if name in counts else {}
        figures[f"{database}.{name}.median"] = _figure(statistics.median(times), goal, **notes)
        figures[f"{database}.{name}.p95"] = _figure(_p95(times), None)
        figures[f"{database}.{name}.cpu_median"] = _figure(
            statistics.median(measured_cpu[name]), None
        )
    ratio = statistics.median(measured["page_nearest_first_within_25_km"]) / statistics.median(
        measured["page_plain_directory"]
    )
    figures[f"{database}.page_nearest_first_to_plain_page"] = {
        "value": round(ratio, 2),
        "unit": "ratio of medians",
    }
    figures[f"{database}.build_10000_groups"] = {"value": round(build_s, 1), "unit": "s"}
    return figures


def _figure(value: float, goal: str | None, **notes: Any) -> dict[str, Any]:
    rounded = round(value, 2)
    if goal is None:
        return {"value": rounded, "unit": "ms", **notes}
    return {"value": rounded, "unit": "ms", "goal": goal, "met": rounded <= GOAL_MS, **notes}


# -- in the parent: both databases ----------------------------------------------------------


def _run_child(database: str, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", database],
        env={
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": "rankandfile.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        return {f"{database}.error": {"value": None, "unit": "", "note": result.stderr[-500:]}}
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _sqlite() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="directory-bench-") as tmp:
        env = {"SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"), "DATABASE_URL": ""}
        return _run_child("sqlite", env)


def _postgresql() -> dict[str, Any]:
    import psycopg

    parts = urlsplit(POSTGRES.rstrip("/"))
    name = f"rankandfile_bench_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    except psycopg.Error as error:
        return {"postgresql.error": {"value": None, "unit": "", "note": str(error)}}
    try:
        return _run_child(
            "postgresql", {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def main() -> int:
    import platform
    import sqlite3

    load_before = [round(x, 2) for x in os.getloadavg()]
    figures = {**_sqlite(), **_postgresql()}
    machine = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "database": f"SQLite {sqlite3.sqlite_version} (temporary file) and PostgreSQL "
        f"({urlsplit(POSTGRES).hostname}:{urlsplit(POSTGRES).port})",
        "groups": GROUPS,
        "searches_per_figure": SEARCHES,
        # Clients, server and database share this machine: other work on it shows up here.
        "load_average_1_5_15_min_before": load_before,
        "load_average_1_5_15_min_after": [round(x, 2) for x in os.getloadavg()],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": machine, "figures": figures}, indent=2) + "\n")
    for name, value in figures.items():
        missed = "" if value.get("met", True) else "  (goal not met)"
        print(f"{name:60} {value.get('value')} {value.get('unit')}{missed}")
    errors = [name for name in figures if name.endswith(".error")]
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
