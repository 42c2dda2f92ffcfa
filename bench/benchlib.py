"""Shared pieces of the benchmarks that drive a real server on PostgreSQL.

Each benchmark makes its own fresh database (dropped at the end), runs the production server
command (gunicorn) on a free local port, and writes bench/results/<name>.json.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def fresh_database(database: str, **extra: str) -> Iterator[None]:
    """Create and migrate a database, set Django up in this process on it, drop it at the end."""
    admin_sql(f'CREATE DATABASE "{database}"')
    try:
        for command in (["migrate"], ["collectstatic"]):
            # Without DEBUG, pages name static files by the hashes collectstatic writes.
            subprocess.run(
                [sys.executable, "-m", "rankandfile", "manage", *command, "--noinput", "-v", "0"],
                env=environment(database, **extra),
                cwd=ROOT,
                check=True,
            )
        os.environ.update(environment(database, **extra))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankandfile.settings")
        import django

        django.setup()
        yield
        from django.db import connections

        connections.close_all()
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextmanager
def gunicorn(database: str, *, threads: int = THREADS, **extra: str) -> Iterator[int]:
    """The production server command on a free port; yields the port once it accepts."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rankandfile.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=environment(database, **extra),
        cwd=ROOT,
    )
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "database": "PostgreSQL (" + SERVER.rsplit("@", 1)[-1] + ")",
        # Clients, server and database share this machine: other work on it shows up here and
        # lowers the figures.
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
    }


def figure(value: float, unit: str, goal: str | None, **notes: Any) -> dict[str, Any]:
    """One figure, with whether it meets its goal ("<= n" or ">= n"); None for a reference."""
    if goal is None:
        return {"value": value, "unit": unit, **notes}
    op, target = goal.split()
    met = value <= float(target) if op == "<=" else value >= float(target)
    return {"value": value, "unit": unit, "goal": goal, "met": met, **notes}


def write_results(name: str, figures: dict[str, Any]) -> Path:
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "figures": figures}, indent=2) + "\n")
    return out


# -- the benchmarks' campaign and members (Django set up) ----------------------------------------


def campaign_opened(*, group_name: str, title: str, threshold_people: int) -> Any:
    """An open campaign of one stage with one option (``stop-dues``), its deadline a month
    away, in a new public group whose organiser has signed up."""
    from datetime import timedelta

    from django.utils import timezone

    from rankandfile.accounts.consents import ConsentPurpose
    from rankandfile.accounts.models import User
    from rankandfile.accounts.services import member_signup_complete
    from rankandfile.campaigns.services import (
        OptionInput,
        StageInput,
        campaign_create,
        campaign_open,
    )
    from rankandfile.groups.services import GroupDetails, group_create

    organiser = User.objects.create_user("organiser@bench.invalid", secrets.token_hex(8))
    member_signup_complete(
        member=organiser,
        display_name="Organiser",
        postcode_district="LS6",
        consents=[ConsentPurpose.MEMBERSHIP],
    )
    group = group_create(
        creator=organiser,
        details=GroupDetails(
            name=group_name,
            kind="local_branch",
            description="",
            visibility="public",
            districts=["LS6"],
            issues=[],
        ),
    )
    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title=title,
        target="the executive",
        explanation="Benchmark.",
        demands=["Publish the report"],
        stages=[
            StageInput(
                title="Withhold subscriptions",
                deadline=timezone.now() + timedelta(days=30),
                threshold_people=threshold_people,
                options=[OptionInput(key="stop-dues", label="Cancel my direct debit")],
                action_instructions="Cancel it.",
            )
        ],
    )
    campaign_open(campaign=campaign, organiser=organiser)
    return campaign


def api_tokens_create(members: Sequence[Any]) -> list[str]:
    """A read-write personal API token for each member, valid for a day and used this hour
    already, so that no request writes the note of its use: a pledge then costs what any
    authenticated write costs."""
    from datetime import timedelta

    from django.utils import timezone

    from rankandfile.accounts.models import ApiToken, TokenScope
    from rankandfile.lib.tokens import token_digest

    tokens = [f"rf_{secrets.token_urlsafe(32)}" for _ in members]
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            member=m,
            name="bench",
            token_digest=token_digest(t),
            scope=TokenScope.READ_WRITE,
            expires_at=now + timedelta(days=1),
            last_used_at=now,
        )
        for m, t in zip(members, tokens, strict=True)
    )
    return tokens
