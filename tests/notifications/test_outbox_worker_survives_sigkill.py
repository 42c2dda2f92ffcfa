"""Real worker processes over 5,000 messages: a SIGKILL mid-batch and a restart lose nothing,
and two workers side by side send nothing twice. Counted by Message-ID at a real SMTP server.

The workers are subprocesses, so they cannot see pytest's test database (in memory on SQLite,
uncommitted on PostgreSQL). Each run migrates a database of its own: a file in a temporary
directory on SQLite, or a throw-away database on the PostgreSQL server of DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.notifications.smtp_sink import SmtpSinkProcess

# Under `make test` (pytest-xdist, --dist loadgroup) the tests of this group run one after
# another on a single worker: they race threads or processes against each other and time out.
pytestmark = pytest.mark.xdist_group("one_at_a_time")

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 5000

SEED = """
import sys
import django
django.setup()
from rankandfile.accounts.models import User
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import messages_fan_out
count, prefix = int(sys.argv[1]), sys.argv[2]
if not User.objects.exists():
    User.objects.bulk_create(
        User(email=f"m{i}@example.org", display_name=f"Member {i}", password="!")
        for i in range(count)
    )
messages_fan_out(
    key_prefix=prefix,
    kind=MessageClass.SERVICE,
    template="ballot_opened",
    recipients=User.objects.all(),
    context={"ballot_title": "Delegates", "ballot_url": "http://127.0.0.1:8000/b/1/"},
)
"""

REPORT = """
import json
import sys
import django
django.setup()
from django.db.models import Count
from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import message_id_for
rows = Message.objects.filter(key__startswith=sys.argv[1])
print(json.dumps({
    "statuses": {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("pk"))},
    "message_ids": [
        message_id_for(message_id=pk, key=key) for pk, key in rows.values_list("pk", "key")
    ],
}))
"""


def _python(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment for subprocesses: a freshly migrated database of their own."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rankandfile.settings",
        "DEBUG": "0",
        "SMTP_USE_TLS": "0",
        "SMTP_HOST": "127.0.0.1",
        "NOTIFICATIONS_BATCH_SIZE": "100",
        # Short, so that the restarted worker takes over the killed one's batch quickly.
        "NOTIFICATIONS_LEASE_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
    }
    server_url = os.environ.get("DATABASE_URL")
    database = f"rankandfile_outbox_{uuid.uuid4().hex[:10]}"
    admin_url = ""
    if server_url:
        import psycopg

        parts = urlsplit(server_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path_factory.mktemp("outbox") / "outbox.sqlite3")
    try:
        subprocess.run(
            [sys.executable, "-m", "rankandfile", "manage", "migrate", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        yield env
    finally:
        if server_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _start_worker(env: dict[str, str], sink: SmtpSinkProcess, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rankandfile",
            "manage",
            "outbox_send",
            "--loop",
            "--interval",
            "0.1",
        ],
        env={**env, "SMTP_PORT": str(sink.port)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _wait_for(condition: object, timeout: float, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
    worker.wait(timeout=10)


def _expected(env: dict[str, str], prefix: str) -> tuple[dict[str, int], set[str]]:
    report = json.loads(_python(REPORT, prefix, env=env))
    return report["statuses"], set(report["message_ids"])


def _wait_for_every_message_sent(env: dict[str, str], sink: SmtpSinkProcess, prefix: str) -> None:
    _wait_for(lambda: sink.distinct_message_ids() >= MESSAGES, 90, "every message to arrive")
    # The sink has every message, but a worker records the last ones as sent just after the
    # server accepts them: wait for those records before stopping the workers.
    _wait_for(
        lambda: _expected(env, prefix)[0] == {"sent": MESSAGES},
        60,
        "every message to be recorded as sent",
    )


def test_a_worker_killed_mid_batch_and_restarted_delivers_every_message(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    _python(SEED, str(MESSAGES), "crash", env=worker_env)
    # Read before sending: a sent ballot message's key forgets its member (and so changes).
    _, expected_ids = _expected(worker_env, "crash")
    sink = SmtpSinkProcess().start()
    log = tmp_path / "worker.log"
    try:
        worker = _start_worker(worker_env, sink, log)
        _wait_for(lambda: sink.total() >= 1500, 60, "the first worker to send 1,500")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = sink.total()
        assert at_kill < MESSAGES, "the worker was killed mid-run"

        restarted = _start_worker(worker_env, sink, log)
        try:
            _wait_for_every_message_sent(worker_env, sink, "crash")
        finally:
            # Once the worker has exited, anything it sent has arrived: the sink counts a
            # message before it answers the worker's DATA command.
            _stop(restarted)
    finally:
        counts = sink.stop()

    statuses, _ = _expected(worker_env, "crash")
    assert statuses == {"sent": MESSAGES}, log.read_text()[-3000:]
    assert set(counts) == expected_ids
    # The one message in flight when the process died (accepted by the server, not yet
    # committed as sent) may arrive twice: SMTP cannot be made exactly-once from the sender's
    # side. Its stable Message-ID lets the receiving server drop it. Nothing else repeats.
    duplicates = {message_id: n for message_id, n in counts.items() if n > 1}
    print(f"SIGKILL after {at_kill} messages; sent twice: {sum(duplicates.values())}")
    assert sum(n - 1 for n in duplicates.values()) <= 1, duplicates


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="PostgreSQL only: concurrent senders claim with SELECT ... FOR UPDATE SKIP LOCKED; "
    "SQLite has a single writer (CI runs this test with DATABASE_URL set)",
)
def test_two_workers_side_by_side_send_each_message_exactly_once(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    _python(SEED, str(MESSAGES), "pair", env=worker_env)
    _, expected_ids = _expected(worker_env, "pair")
    sink = SmtpSinkProcess().start()
    log = tmp_path / "workers.log"
    try:
        workers = [_start_worker(worker_env, sink, log) for _ in range(2)]
        try:
            _wait_for_every_message_sent(worker_env, sink, "pair")
        finally:
            # Once both have exited, everything they sent has been counted (before each 250).
            for worker in workers:
                _stop(worker)
    finally:
        counts = sink.stop()

    statuses, _ = _expected(worker_env, "pair")
    assert statuses == {"sent": MESSAGES}, log.read_text()[-3000:]
    assert set(counts) == expected_ids
    assert max(counts.values()) == 1, "no message was sent twice"
    assert sink.connections >= 2, "both workers took part"
