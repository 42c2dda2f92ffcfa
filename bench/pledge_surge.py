"""Deadline-day pledge surge against the real server on PostgreSQL; writes
bench/results/pledge_surge.json.

Run from the repository root with PostgreSQL reachable (default
``postgres://postgres@127.0.0.1:5432``, or ``BENCH_POSTGRES``)::

    .venv/bin/python bench/pledge_surge.py

In a fresh database (dropped at the end) it starts the production server command (gunicorn,
``rankandfile.wsgi``) with the benchmark-only ceiling view mounted, then, with ``BENCH_CLIENTS``
concurrent client threads over keep-alive connections:

1. the ceiling: POST /bench/ceiling, a view that inserts one row, ``BENCH_PLEDGERS`` times;
2. the surge: each of ``BENCH_PLEDGERS`` members POSTs one pledge through the API with their own
   personal token; every answer must be 201, and the final tally must equal the number of
   pledge rows and of members;
3. the ceiling again (the two ceiling runs are averaged, to even out the machine's drift);
4. the public counter: 1,000,000 more pledges are stored (bulk SQL), then ``BENCH_COUNTER_PROCS``
   client processes GET /campaigns/<slug>/counter.json for ``BENCH_COUNTER_SECONDS``.

Goals (from the issue): pledges per second at least 0.7 of the ceiling with p99 under 250 ms,
and the counter served at least 2,000 times per second with 1,000,000 pledges stored.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib

DATABASE = f"rankandfile_bench_pledges_{os.getpid()}"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
PLEDGERS = int(os.environ.get("BENCH_PLEDGERS", "3000"))
STORED = int(os.environ.get("BENCH_STORED_PLEDGES", "1000000"))
COUNTER_PROCS = int(os.environ.get("BENCH_COUNTER_PROCS", "2"))
COUNTER_SECONDS = float(os.environ.get("BENCH_COUNTER_SECONDS", "10"))
EXTRA = {"BENCH_CEILING_VIEW": "1"}

Request = tuple[str, str, bytes, dict[str, str]]


def prepare() -> tuple[str, int, list[str]]:
    """An open campaign, PLEDGERS verified members each with an API token, the ceiling table."""
    from allauth.account.models import EmailAddress
    from django.db import connection
    from django.utils import timezone

    from rankandfile.accounts.consents import ConsentPurpose
    from rankandfile.accounts.models import ApiToken, User
    from rankandfile.accounts.services import member_signup_complete
    from rankandfile.campaigns.services import (
        OptionInput,
        StageInput,
        campaign_create,
        campaign_open,
    )
    from rankandfile.groups.services import group_create
    from rankandfile.lib.tokens import token_digest

    organiser = User.objects.create_user("organiser@bench.invalid", secrets.token_hex(8))
    member_signup_complete(
        member=organiser,
        display_name="Organiser",
        postcode_district="LS6",
        consents=[ConsentPurpose.MEMBERSHIP],
    )
    group = group_create(
        creator=organiser,
        name="Bench branch",
        kind="local_branch",
        description="",
        visibility="public",
        districts=["LS6"],
        issues=[],
    )
    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title="Surge",
        target="the executive",
        explanation="Benchmark.",
        demands=["Publish the report"],
        stages=[
            StageInput(
                title="Withhold subscriptions",
                deadline=timezone.now() + timezone.timedelta(days=30),
                threshold_people=10_000_000,
                options=[OptionInput(key="stop-dues", label="Cancel my direct debit")],
                action_instructions="Cancel it.",
            )
        ],
    )
    campaign_open(campaign=campaign, organiser=organiser)
    districts = ["LS6", "M14", "E8", "G42", "BS5", "CF24", "NE6", "B11"]
    members = User.objects.bulk_create(
        User(
            email=f"pledger{n}@bench.invalid",
            display_name=f"Pledger {n}",
            postcode_district=districts[n % len(districts)],
        )
        for n in range(PLEDGERS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members
    )
    tokens = [f"rf_{secrets.token_urlsafe(32)}" for _ in members]
    ApiToken.objects.bulk_create(
        ApiToken(member=m, name="bench", token_digest=token_digest(t))
        for m, t in zip(members, tokens, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, n int)")
    stage_id = campaign.stages.get().pk
    return campaign.slug, stage_id, tokens


def _client(port: int, requests: list[Request], start: threading.Event, out: list[Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, errors = [], []
    start.wait()
    for method, path, body, headers in requests:
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        if response.status != 201:
            errors.append(f"{method} {path} -> {response.status}")
    out.append((latencies, errors))


def drive(port: int, requests: list[Request]) -> dict[str, Any]:
    """Send the requests from CLIENTS threads at once; rate and latency percentiles."""
    start = threading.Event()
    out: list[Any] = []
    threads = [
        threading.Thread(target=_client, args=(port, requests[i::CLIENTS], start, out))
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies = sorted(latency for chunk, _ in out for latency in chunk)
    errors = [error for _, chunk in out for error in chunk]
    return {
        "rate": len(requests) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "errors": errors,
    }


def store_pledges(stage_id: int, count: int) -> None:
    """COUNT more pledges by as many members, in bulk SQL, with the tallies to match."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, is_staff, is_active, "
            "date_joined, display_name, postcode_district) "
            "SELECT '', false, 'stored' || g || '@bench.invalid', false, true, now(), "
            "'Stored ' || g, 'LS6' FROM generate_series(1, %s) AS g",
            [count],
        )
        cursor.execute(
            "INSERT INTO campaigns_pledge (stage_id, member_id, verified, area, confirmed_done) "
            "SELECT %s, id, false, 'LS', false FROM accounts_user WHERE email LIKE 'stored%%'",
            [stage_id],
        )
        cursor.execute(
            "UPDATE campaigns_stagetally SET pledges = pledges + %s WHERE stage_id = %s",
            [count, stage_id],
        )
        cursor.execute("ANALYZE")


def _counter_client(port: int, path: str, seconds: float, expect: int, queue: Any) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    done, wrong = 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or json.loads(body)["pledges"] != expect:
            wrong += 1
        done += 1
    queue.put((done, wrong))


def counter_rate(port: int, slug: str, expect: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    path = f"/campaigns/{slug}/counter.json"
    procs = [
        context.Process(target=_counter_client, args=(port, path, COUNTER_SECONDS, expect, queue))
        for _ in range(COUNTER_PROCS)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    done = sum(d for d, _ in results)
    return {"rate": done / COUNTER_SECONDS, "wrong": sum(w for _, w in results)}


def main() -> int:
    with benchlib.fresh_database(DATABASE, **EXTRA):
        from rankandfile.campaigns.models import Pledge, StageTally

        slug, stage_id, tokens = prepare()
        ceiling: list[Request] = [("POST", "/bench/ceiling", b"", {})] * PLEDGERS
        pledges: list[Request] = [
            (
                "POST",
                f"/api/v1/campaigns/{slug}/pledges",
                json.dumps({"options": ["stop-dues"]}).encode(),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            for token in tokens
        ]
        with benchlib.gunicorn(DATABASE, **EXTRA) as port:
            drive(port, ceiling[:200])  # warm up every worker
            first = drive(port, ceiling)
            surge = drive(port, pledges)
            second = drive(port, ceiling)
            tally = StageTally.objects.get(stage_id=stage_id).pledges
            rows = Pledge.objects.filter(stage_id=stage_id).count()
            exact = tally == rows == PLEDGERS and not surge["errors"]
            print(
                f"surge: {surge['rate']:.0f} pledges/s, p50 {surge['p50_ms']:.1f} ms, "
                f"p99 {surge['p99_ms']:.1f} ms; ceiling {first['rate']:.0f}/{second['rate']:.0f}"
                f" inserts/s; tally {tally}, rows {rows}",
                flush=True,
            )
            store_pledges(stage_id, STORED)
            counter = counter_rate(port, slug, PLEDGERS + STORED)
            print(
                f"counter: {counter['rate']:.0f} requests/s ({counter['wrong']} wrong)", flush=True
            )
    ceiling_rate = (first["rate"] + second["rate"]) / 2
    figures = {
        "pledges_per_second": benchlib.figure(
            round(surge["rate"], 1),
            "pledges/s",
            ">= 0",
            pledgers=PLEDGERS,
            clients=CLIENTS,
            server=f"gunicorn rankandfile.wsgi, {benchlib.WORKERS} gthread workers x 4 threads",
        ),
        "ceiling_inserts_per_second": benchlib.figure(
            round(ceiling_rate, 1),
            "requests/s",
            ">= 0",
            runs=[round(first["rate"], 1), round(second["rate"], 1)],
        ),
        "pledge_fraction_of_ceiling": benchlib.figure(
            round(surge["rate"] / ceiling_rate, 3), "ratio", ">= 0.7"
        ),
        "pledge_p50_ms": benchlib.figure(round(surge["p50_ms"], 1), "ms", None),
        "pledge_p99_ms": benchlib.figure(round(surge["p99_ms"], 1), "ms", "<= 250"),
        "final_count_exact": benchlib.figure(
            1.0 if exact else 0.0,
            "bool",
            ">= 1",
            tally=tally,
            rows=rows,
            errors=surge["errors"][:5],
        ),
        "counter_requests_per_second_1m_pledges": benchlib.figure(
            round(counter["rate"], 1),
            "requests/s",
            ">= 2000",
            stored_pledges=PLEDGERS + STORED,
            client_processes=COUNTER_PROCS,
            wrong_answers=counter["wrong"],
        ),
    }
    out = benchlib.write_results("pledge_surge", figures)
    print(f"wrote {out.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
