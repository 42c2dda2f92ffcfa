"""Deadline-day pledge surge against the real server on PostgreSQL; writes
bench/results/pledge_surge.json.

Run from the repository root with PostgreSQL reachable (default
``postgres://postgres@127.0.0.1:5432``, or ``BENCH_POSTGRES``)::

    .venv/bin/python bench/pledge_surge.py

In a fresh database (dropped at the end):

1. for reference, the CPU each kind of request costs, less swayed by the machine than the
   rates below: before any server starts, this process calls the WSGI application itself (no
   HTTP server, no client) ``BENCH_CPU_PAIRS`` times (default 2,000) for a ceiling request and
   for a pledge by a member of its own, in turns, and counts its own user and system CPU time
   and, where ``/proc`` shows it, that of its PostgreSQL backend.

Then it starts the production server command (gunicorn, ``rankandfile.wsgi``;
``BENCH_WORKERS`` x ``BENCH_THREADS``, default 2 x 4) with the product's settings plus the
benchmark's ceiling route (``DJANGO_SETTINGS_MODULE=bench.ceiling_settings``, whose URLconf,
bench/ceiling_urls.py, adds ``POST /bench/api/ceiling``: the same token authentication and JSON
body as a pledge, and one row inserted, in a table the bench makes) and, with ``BENCH_CLIENTS``
(default 32) concurrent keep-alive connections from one lean asyncio client (requests encoded
beforehand):

2. warm-up: 400 requests to the ceiling and 400 pledges by members of their own, so that every
   worker thread has its database connection on both paths;
3. ``BENCH_ROUNDS`` rounds (default 16), each: the ceiling as many times as there are pledges
   in the round, then the surge: that many members (``BENCH_PLEDGERS`` in all, default 8,000)
   each POST one pledge through the API with their own personal token (used this hour
   already, as the ceiling's are: neither side writes the note of a token's use); every
   answer must be 201. A last ceiling round closes. Alternating rounds spread the machine's
   drift over both sides. Each round opens its clients' connections afresh, and how the
   kernel happens to share them between the server's workers moves a round's rate a long
   way: many short rounds average that out better than a few long ones.
   The final tally must equal the number of pledge rows and of pledgers (all of the above);
4. the public counter: 1,000,000 more pledges are stored (bulk SQL, then the tallies rebuilt),
   then ``BENCH_COUNTER_PROCS`` client processes (default 2, each with 4 keep-alive
   connections) GET /campaigns/<slug>/counter.json for ``BENCH_COUNTER_SECONDS`` (default 10),
   checking every answer; then as long again with the counter's one-second copy turned off
   (the same selector and JSON read from the database on every request).

Goals (from the issue): pledges per second at least 0.75 of the ceiling with p99 under 250 ms,
and the counter served at least 2,000 times per second with its copy and 500 without, with
1,000,000 pledges stored. Clients,
server and database share the machine's CPUs, so other work on it lowers the figures.
"""

from __future__ import annotations

import asyncio
import io
import json
import multiprocessing
import os
import re
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib

DATABASE = f"rankandfile_bench_pledges_{os.getpid()}"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
PLEDGERS = int(os.environ.get("BENCH_PLEDGERS", "8000"))
WARMUP = 400
CPU_PAIRS = int(os.environ.get("BENCH_CPU_PAIRS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "16"))
STORED = int(os.environ.get("BENCH_STORED_PLEDGES", "1000000"))
COUNTER_PROCS = int(os.environ.get("BENCH_COUNTER_PROCS", "2"))
COUNTER_SECONDS = float(os.environ.get("BENCH_COUNTER_SECONDS", "10"))
COUNTER_CONNECTIONS = 4
# The whole surge comes from this one machine's address; a real one comes from many, so the
# per-address pledge limit is lifted (the per-member limit stays: each member pledges once).
EXTRA = {
    "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",  # the product's, plus the ceiling route
    "RATE_LIMIT_PLEDGE_IP": "1000000000/s",
}

Request = tuple[str, str, bytes, dict[str, str]]


def prepare() -> tuple[str, int, list[str]]:
    """An open campaign, PLEDGERS + WARMUP verified members each with an API token, and the
    ceiling's table."""
    from allauth.account.models import EmailAddress
    from django.db import connection

    from rankandfile.accounts.models import User

    campaign = benchlib.campaign_opened(
        group_name="Bench branch", title="Surge", threshold_people=10_000_000
    )
    districts = ["LS6", "M14", "E8", "G42", "BS5", "CF24", "NE6", "B11"]
    members = User.objects.bulk_create(
        User(
            email=f"pledger{n}@bench.invalid",
            display_name=f"Pledger {n}",
            postcode_district=districts[n % len(districts)],
        )
        for n in range(PLEDGERS + WARMUP + CPU_PAIRS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members
    )
    tokens = benchlib.api_tokens_create(members)
    from bench.ceiling_urls import CeilingRow

    with connection.schema_editor() as editor:
        editor.create_model(CeilingRow)
    stage_id = campaign.stages.get().pk
    return campaign.slug, stage_id, tokens


def _encode(request: Request) -> bytes:
    method, path, body, headers = request
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _client(port: int, requests: list[bytes], out: list[Any]) -> None:
    """One keep-alive connection sending its requests one after another. The requests are
    encoded beforehand and the answers read with asyncio's streams: a lean client, so that as
    much of the machine as possible is left to the server being measured."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    latencies, errors = [], []
    for request in requests:
        began = time.perf_counter()
        writer.write(request)
        status, body = await _response(reader)
        latencies.append(time.perf_counter() - began)
        if status != 201:
            line = request.split(b"\r\n", 1)[0].decode()
            errors.append(f"{line} -> {status}: {body[:200]!r}")
    writer.close()
    out.append((latencies, errors))


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one HTTP/1.1 answer off a keep-alive connection: its status and its body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    body = await reader.readexactly(int(length.group(1))) if length else b""
    return int(head[9:12]), body


def drive(port: int, requests: list[Request]) -> dict[str, Any]:
    """Send the requests over CLIENTS connections at once; their rate and latencies."""
    encoded = [_encode(request) for request in requests]
    out: list[Any] = []

    async def run() -> float:
        began = time.perf_counter()
        await asyncio.gather(*(_client(port, encoded[i::CLIENTS], out) for i in range(CLIENTS)))
        return time.perf_counter() - began

    wall = asyncio.run(run())
    latencies = sorted(latency for chunk, _ in out for latency in chunk)
    errors = [error for _, chunk in out for error in chunk]
    return {"requests": len(requests), "wall": wall, "latencies": latencies, "errors": errors}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Rate over all the runs together, and latency percentiles over all their requests."""
    latencies = sorted(latency for run in runs for latency in run["latencies"])
    return {
        "rate": sum(run["requests"] for run in runs) / sum(run["wall"] for run in runs),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "errors": [error for run in runs for error in run["errors"]],
        "runs": [round(run["requests"] / run["wall"], 1) for run in runs],
    }


def _environ(request: Request) -> dict[str, Any]:
    """The WSGI environment gunicorn would hand the application for this request."""
    method, path, body, headers = request
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time a process on this machine has used, if /proc shows it (Linux, and the
    database server on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Cpu:
    """CPU milliseconds per request of one kind."""

    user_ms: float  # this process, outside the kernel: Python, Django, psycopg
    system_ms: float  # this process, in the kernel: mostly the round trips to the database
    database_ms: float | None  # its PostgreSQL backend, where /proc shows it


def _own_cpu() -> tuple[float, float]:
    """This thread's user and system CPU seconds so far."""
    usage = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return usage.ru_utime, usage.ru_stime


def cpu_per_request(ceiling: Request, pledges: list[Request]) -> tuple[dict[str, Cpu], int]:
    """The CPU each ceiling request and each pledge cost when this process calls the WSGI
    application, and how many of each were counted. Batches of 100 of each kind take turns;
    the first pair of batches warms up and is not counted."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    batches = [pledges[i : i + 100] for i in range(0, len(pledges), 100)]
    if len(batches) < 2:
        raise ValueError("BENCH_CPU_PAIRS must be at least 200.")
    application = get_wsgi_application()
    connection.close()  # the warm-up opens a new one, which then lasts CONN_MAX_AGE (60 s)
    user: dict[str, float] = {}
    system: dict[str, float] = {}
    database: dict[str, float | None] = {}

    def run(kind: str, requests: list[Request], pid: int | None = None) -> None:
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)

        before = _cpu_seconds(pid) if pid else None
        for request in requests:
            user_before, system_before = _own_cpu()
            answer = application(_environ(request), start_response)
            b"".join(answer)
            answer.close()
            user_after, system_after = _own_cpu()
            user[kind] = user.get(kind, 0.0) + user_after - user_before
            system[kind] = system.get(kind, 0.0) + system_after - system_before
        after, so_far = (_cpu_seconds(pid) if pid else None), database.get(kind, 0.0)
        if before is None or after is None or so_far is None:
            database[kind] = None
        else:
            database[kind] = so_far + after - before
        if any(not status.startswith("201") for status in statuses):
            raise RuntimeError(f"{requests[0][1]}: {sorted(set(statuses))}")

    run("ceiling", [ceiling] * len(batches[0]))  # warm-up
    run("pledge", batches[0])
    for counted in (user, system, database):
        counted.clear()
    pid = _backend_pid()
    for batch in batches[1:]:
        run("ceiling", [ceiling] * len(batch), pid)
        run("pledge", batch, pid)
    replaced = _backend_pid() != pid  # then its CPU time is not all in this backend's count
    n = len(pledges) - len(batches[0])
    cpu = {}
    for kind in ("ceiling", "pledge"):
        spent = database[kind]
        cpu[kind] = Cpu(
            user_ms=1000 * user[kind] / n,
            system_ms=1000 * system[kind] / n,
            database_ms=None if spent is None or replaced else 1000 * spent / n,
        )
    return cpu, n


def cpu_figures(cpu: dict[str, Cpu], requests: int) -> dict[str, Any]:
    """Reference figures from ``cpu_per_request``. The database's CPU time counts only where
    /proc showed it for both kinds of request."""
    with_database = all(c.database_ms is not None for c in cpu.values())
    figures, totals = {}, {}
    for kind, c in cpu.items():
        database = c.database_ms if with_database else None
        totals[kind] = c.user_ms + c.system_ms + (database or 0.0)
        figures[f"{kind}_cpu_ms_in_process"] = benchlib.figure(
            round(totals[kind], 3),
            "ms/request",
            None,
            application_user_ms=round(c.user_ms, 3),
            application_system_ms=round(c.system_ms, 3),
            database_ms=None if database is None else round(database, 3),
            requests=requests,
        )
    figures["cpu_fraction_in_process"] = benchlib.figure(
        round(totals["ceiling"] / totals["pledge"], 3),
        "ratio",
        None,
        note="reference only: ceiling CPU / pledge CPU, of the application (WSGI called in "
        "this process)"
        + (" and its PostgreSQL backend" if with_database else "")
        + ", with no HTTP server or client, which add about the same to both",
    )
    return figures


def store_pledges(stage_id: int, count: int) -> None:
    """COUNT more pledges by as many members, in bulk SQL, with the tallies to match."""
    from django.db import connection

    from rankandfile.campaigns.models import Stage
    from rankandfile.campaigns.tallies import tallies_rebuild

    with connection.cursor() as cursor:
        cursor.execute(
            # Stored members are never looked up or shown: their fields are left unencrypted
            # (read back as they are) and each digest is only made unique.
            "INSERT INTO accounts_user (password, is_superuser, email, email_digest, is_staff, "
            "is_active, date_joined, display_name, postcode_district, postcode_district_digest, "
            "is_network_coordinator) "
            "SELECT '', false, 'stored' || g || '@bench.invalid', 'stored' || g, false, true, "
            "now(), 'Stored ' || g, 'LS6', '', false FROM generate_series(1, %s) AS g",
            [count],
        )
        cursor.execute(
            "INSERT INTO campaigns_pledge (stage_id, member_id, verified, area, confirmed_done) "
            "SELECT %s, id, false, 'LS', false FROM accounts_user WHERE email LIKE 'stored%%'",
            [stage_id],
        )
        cursor.execute("ANALYZE")
    tallies_rebuild(Stage.objects.get(pk=stage_id))


def _counter_client(port: int, path: str, seconds: float, expect: int, queue: Any) -> None:
    """COUNTER_CONNECTIONS keep-alive connections in this process asking for the counter
    as fast as it answers, for ``seconds``; every answer is checked."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    totals = [0, 0]

    async def one(deadline: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            writer.write(request)
            status, body = await _response(reader)
            if status != 200 or json.loads(body)["pledges"] != expect:
                totals[1] += 1
            totals[0] += 1
        writer.close()

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(one(deadline) for _ in range(COUNTER_CONNECTIONS)))

    asyncio.run(run())
    queue.put((totals[0], totals[1]))


def counter_rate(port: int, slug: str, expect: int, *, copy: bool = True) -> dict[str, Any]:
    """The counter through its one-second copy, or (copy=False) the same JSON built from the
    database on every request (bench/ceiling_urls.py)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    path = f"/campaigns/{slug}/counter.json" if copy else f"/bench/counter-uncached/{slug}.json"
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
        from rankandfile.campaigns.models import Pledge, Stage
        from rankandfile.campaigns.selectors import stage_totals

        slug, stage_id, tokens = prepare()
        body = json.dumps({"options": ["stop-dues"]}).encode()

        def authorised(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        # The ceiling: the same tokens, body and server as the pledges, on a route that checks
        # the token, parses the body and inserts one row (bench/ceiling_urls.py).
        ceiling: list[Request] = [
            ("POST", "/bench/api/ceiling", body, authorised(token)) for token in tokens
        ]
        pledges: list[Request] = [
            ("POST", f"/api/v1/campaigns/{slug}/pledges", body, authorised(token))
            for token in tokens
        ]
        warm, pledges, cpu_pledges = (
            pledges[:WARMUP],
            pledges[WARMUP : WARMUP + PLEDGERS],
            pledges[WARMUP + PLEDGERS :],
        )
        chunk = -(-len(pledges) // ROUNDS)
        cpu, cpu_requests = cpu_per_request(ceiling[0], cpu_pledges)
        print(f"CPU per request (ms), {cpu_requests} of each: {cpu}", flush=True)
        with benchlib.gunicorn(DATABASE, **EXTRA) as port:
            # Warm up every worker thread on both paths (connections opened), then alternate
            # ceiling and surge rounds so that the machine's drift
            # falls on both alike.
            drive(port, ceiling[:WARMUP])
            drive(port, warm)
            ceiling_runs, surge_runs = [], []
            for start in range(0, len(pledges), chunk):
                ceiling_runs.append(drive(port, ceiling[start : start + chunk]))
                surge_runs.append(drive(port, pledges[start : start + chunk]))
            ceiling_runs.append(drive(port, ceiling[:chunk]))
            first, surge = summary(ceiling_runs), summary(surge_runs)
            total = PLEDGERS + WARMUP + len(cpu_pledges)
            tally = stage_totals(Stage.objects.get(pk=stage_id)).pledges
            rows = Pledge.objects.filter(stage_id=stage_id).count()
            exact = tally == rows == total and not surge["errors"]
            print(
                f"surge: {surge['rate']:.0f} pledges/s {surge['runs']}, p50 {surge['p50_ms']:.1f}"
                f" ms, p99 {surge['p99_ms']:.1f} ms; ceiling {first['rate']:.0f} inserts/s "
                f"{first['runs']}; tally {tally}, rows {rows}; "
                f"errors {surge['errors'][:3]}",
                flush=True,
            )
            store_pledges(stage_id, STORED)
            counter = counter_rate(port, slug, total + STORED)
            uncached = counter_rate(port, slug, total + STORED, copy=False)
            print(
                f"counter: {counter['rate']:.0f} requests/s ({counter['wrong']} wrong); without "
                f"its copy {uncached['rate']:.0f} requests/s ({uncached['wrong']} wrong)",
                flush=True,
            )
    ceiling_rate = first["rate"]
    figures = {
        "pledges_per_second": benchlib.figure(
            round(surge["rate"], 1),
            "pledges/s",
            None,
            pledgers=PLEDGERS,
            runs=surge["runs"],
            warm_up_pledges=WARMUP,
            clients=CLIENTS,
            server=f"gunicorn rankandfile.wsgi, {benchlib.WORKERS} gthread workers x "
            f"{benchlib.THREADS} threads",
        ),
        "ceiling_authenticated_writes_per_second": benchlib.figure(
            round(ceiling_rate, 1),
            "requests/s",
            None,
            runs=first["runs"],
            requests_per_run=chunk,
            note="POST /bench/api/ceiling: the same token authentication, JSON body and "
            "server as a pledge, and one row inserted (bench/ceiling_urls.py)",
        ),
        "pledge_fraction_of_ceiling": benchlib.figure(
            round(surge["rate"] / ceiling_rate, 3), "ratio", ">= 0.75"
        ),
        **cpu_figures(cpu, cpu_requests),
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
            stored_pledges=total + STORED,
            client_processes=COUNTER_PROCS,
            wrong_answers=counter["wrong"],
        ),
        "counter_requests_per_second_1m_pledges_uncached": benchlib.figure(
            round(uncached["rate"], 1),
            "requests/s",
            ">= 500",
            stored_pledges=total + STORED,
            client_processes=COUNTER_PROCS,
            wrong_answers=uncached["wrong"],
            note="the same JSON with the one-second copy turned off: the database read on "
            "every request (/bench/counter-uncached/<slug>.json, bench/ceiling_urls.py)",
        ),
    }
    out = benchlib.write_results("pledge_surge", figures)
    print(f"wrote {out.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
