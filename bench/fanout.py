"""Benchmark the outbox: fan out and deliver 100,000 personalised messages to a local SMTP sink.

Run from the repository root: ``python bench/fanout.py`` (writes bench/results/fanout.json).
It sets itself up and cleans up: a fresh, migrated database (a temporary SQLite file, or with
DATABASE_URL a throw-away database on that PostgreSQL server), 100,000 members, and two SMTP
sinks in processes of their own. In one run it measures:

(a) end to end: ``messages_fan_out`` queues one personalised "pledge triggered" message per
    member (one transaction, bulk inserts of 1,000), then the outbox sender (WORKERS processes
    of ``outbox_send``, default 1, started after the fan-out has committed) claims batches of
    500, renders, sends and marks each one sent as soon as the sink accepts it; timed from the
    start of the fan-out until the sink has accepted the last message. Each sender process
    drives NOTIFICATIONS_SENDER_CONNECTIONS aiosmtplib connections (default 4, one per 25
    messages of a batch) from one thread, taking turns so that only one message at a time is
    accepted and not yet committed as sent. The sink counts Message-IDs, so the run also checks that
    each message arrived exactly once;
(b) the ceiling: bare ``smtplib`` loops sending the same messages, rendered beforehand (not
    timed), to an identical sink over as many connections as the senders drive (WORKERS x
    NOTIFICATIONS_SENDER_CONNECTIONS, one thread each).

Both run in FANOUT_ROUNDS rounds (default 4) that alternate: the outbox sends a quarter of the
members their message, then the ceiling sends the same quarter, and so on, so that the
machine's drift falls on both (issue 22: with one run of each, the ratio swung between 0.38
and 0.92 from run to run).

FANOUT_MESSAGES=n changes the number of messages. The machine's load average is recorded at
the start and the end: on a shared machine the figures move with it.
"""

from __future__ import annotations

import asyncio
import email.policy
import json
import multiprocessing
import os
import platform
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "fanout.json"
MESSAGES = int(os.environ.get("FANOUT_MESSAGES", "100000"))
WORKERS = int(os.environ.get("WORKERS", "1"))
ROUNDS = int(os.environ.get("FANOUT_ROUNDS", "4"))
CHUNK = 10_000

# A minimal asyncio SMTP sink. aiosmtpd (used by the tests) costs about 2 ms of CPU per
# message, which would make the sink, not the platform, the thing measured. This speaks just
# enough SMTP for smtplib and Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
# QUIT; no PIPELINING, no TLS).

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Session(asyncio.Protocol):
    def __init__(self, seen: dict[bytes, int], received: Synchronized[int]) -> None:
        self.seen = seen
        self.received = received
        self.buffer = bytearray()
        self.in_data = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                message = bytes(self.buffer[: end + 2])
                del self.buffer[: end + 5]
                self.in_data = False
                match = _MESSAGE_ID.search(message)
                key = match.group(1) if match else b""
                self.seen[key] = self.seen.get(key, 0) + 1
                self.received.value += 1
                self.transport.write(b"250 2.0.0 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            verb = bytes(self.buffer[: min(end, 4)]).upper()
            del self.buffer[: end + 2]
            if verb == b"EHLO":
                self.transport.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 Bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 OK\r\n")


def _serve(sock: socket.socket, received: Synchronized[int], results: Connection) -> None:
    seen: dict[bytes, int] = {}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Session(seen, received), sock=sock)
        async with server:
            while not results.poll():
                await asyncio.sleep(0.05)
        results.recv()
        results.send((sum(seen.values()), len(seen), max(seen.values(), default=0)))

    asyncio.run(main())


class SinkProcess:
    """Start with ``start()``; ``received`` counts messages; ``stop()`` returns
    (messages, distinct Message-IDs, most copies of one Message-ID)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port: int = self.sock.getsockname()[1]
        self._received = multiprocessing.Value("q", 0)
        self._parent, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(
            target=_serve, args=(self.sock, self._received, child), daemon=True
        )

    def start(self) -> SinkProcess:
        self._process.start()
        return self

    @property
    def received(self) -> int:
        return int(self._received.value)

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self.sock.close()

    def stop(self) -> tuple[int, int, int]:
        self._parent.send("stop")
        result: tuple[int, int, int] = self._parent.recv()
        self._process.join(timeout=10)
        self.sock.close()
        return result


def _database(tmp: Path) -> tuple[dict[str, str], str | None]:
    """Environment for a fresh database, and the PostgreSQL admin URL to drop it afterwards."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        return {"SQLITE_PATH": str(tmp / "bench.sqlite3")}, None
    import psycopg

    parts = urlsplit(server_url)
    name = f"rankandfile_bench_{uuid.uuid4().hex[:10]}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}, admin_url


def _drop_database(env: dict[str, str], admin_url: str | None) -> None:
    if admin_url is None:
        return
    import psycopg

    name = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _figure(value: float, unit: str, goal: str, met: bool, note: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "goal": goal, "met": met, "note": note}


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    outbox_sink, ceiling_sink = SinkProcess().start(), SinkProcess().start()
    database_env, admin_url = _database(tmp)
    env = {
        **os.environ,
        **database_env,
        "DJANGO_SETTINGS_MODULE": "rankandfile.settings",
        "DEBUG": "0",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(outbox_sink.port),
        "SMTP_USE_TLS": "0",
        "NOTIFICATIONS_BATCH_SIZE": "500",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    load_before = os.getloadavg()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from rankandfile.accounts.models import User
        from rankandfile.notifications.models import Message, MessageClass, MessageStatus
        from rankandfile.notifications.rendering import email_for
        from rankandfile.notifications.services import messages_fan_out

        call_command("migrate", verbosity=0)
        for start in range(0, MESSAGES, CHUNK):
            User.objects.bulk_create(
                User(email=f"member{i}@example.org", display_name=f"Member {i}", password="!")
                for i in range(start, min(MESSAGES, start + CHUNK))
            )

        def personalise(member_id: int) -> dict[str, str]:
            return {"action_pack_url": f"{settings.SITE_ROOT}/campaigns/1/pack/{member_id}/"}

        context = {"campaign_title": "Rent strike: we all act together"}
        sender = settings.DEFAULT_FROM_EMAIL
        connections = settings.NOTIFICATIONS_SENDER_CONNECTIONS
        ceiling_connections = WORKERS * connections
        member_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
        connection.close()  # the worker processes open their own

        def prepared_for(ids: list[int]) -> list[tuple[str, bytes]]:
            """The round's messages as the outbox renders them, for the ceiling (not timed)."""
            out = []
            for start in range(0, len(ids), CHUNK):
                for member in User.objects.filter(pk__in=ids[start : start + CHUNK]):
                    message = Message(
                        pk=member.pk,
                        key=f"campaign:1:trigger:member:{member.pk}",
                        message_class=MessageClass.SERVICE,
                        template="pledge_triggered",
                        context={**context, **personalise(member.pk)},
                        recipient=member,
                    )
                    mime = email_for(message, member).message(policy=email.policy.SMTP)
                    out.append((member.email, mime.as_bytes()))
            return out

        def smtplib_send(messages: list[tuple[str, bytes]]) -> None:
            client = smtplib.SMTP("127.0.0.1", ceiling_sink.port)
            for address, data in messages:
                client.sendmail(sender, [address], data)
            client.quit()

        # ROUNDS rounds, each: the outbox sends a share of the members their message (fan-out,
        # then WORKERS outbox_send processes), then the ceiling sends the same share, prepared
        # beforehand, over as many smtplib connections (one thread each) as the senders use.
        sender_seconds = ceiling_seconds = enqueue_seconds = 0.0
        sent_so_far = 0
        for r in range(ROUNDS):
            ids = member_ids[r::ROUNDS]
            started = time.perf_counter()
            queued = messages_fan_out(
                key_prefix=f"campaign:1:trigger:round:{r}",
                kind=MessageClass.SERVICE,
                template="pledge_triggered",
                recipients=User.objects.filter(pk__in=ids),
                context=context,
                personalise=personalise,
            )
            enqueue_seconds += time.perf_counter() - started
            assert queued == len(ids), queued
            connection.close()
            command = [sys.executable, "-m", "rankandfile", "manage", "outbox_send"]
            workers = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(WORKERS)]
            for worker in workers:
                worker.wait()
            while outbox_sink.received < sent_so_far + queued:
                time.sleep(0.001)
            sender_seconds += time.perf_counter() - started
            sent_so_far += queued

            prepared = prepared_for(ids)
            connection.close()
            shares = [prepared[i::ceiling_connections] for i in range(ceiling_connections)]
            threads = [threading.Thread(target=smtplib_send, args=(share,)) for share in shares]
            begin = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ceiling_seconds += time.perf_counter() - begin
            print(
                f"round {r}: outbox {sent_so_far / sender_seconds:.0f} msg/s, smtplib "
                f"{sent_so_far / ceiling_seconds:.0f} msg/s so far",
                flush=True,
            )
        assert Message.objects.filter(status=MessageStatus.SENT).count() == MESSAGES
        total, distinct, most = outbox_sink.stop()
        exactly_once = total == distinct == MESSAGES and most == 1
        ceiling_total, _, _ = ceiling_sink.stop()
        assert ceiling_total == MESSAGES, ceiling_total
        started, finished, sending = 0.0, sender_seconds, ceiling_seconds

        end_to_end = MESSAGES / (finished - started)
        ceiling = MESSAGES / sending
        fraction = end_to_end / ceiling
        vendor = connection.vendor
    finally:
        for sink in (outbox_sink, ceiling_sink):
            sink.kill()
        _drop_database(env, admin_url)
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    import django as django_module

    result = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "django": django_module.get_version(),
            "database": vendor,
            "load_average_1min_before": round(load_before[0], 2),
            "load_average_1min_after": round(load_after[0], 2),
        },
        "figures": {
            "fanout_messages_per_second": _figure(
                round(end_to_end, 1),
                "msg/s",
                ">= 1000",
                end_to_end >= 1000,
                f"{MESSAGES} personalised messages, {WORKERS} sender process(es) of "
                f"{connections} SMTP connections each (one thread), in {ROUNDS} rounds, each "
                "timed from the start of messages_fan_out to the sink accepting the round's "
                "last message (the sender processes' start-up included); fan-out took "
                f"{enqueue_seconds:.2f} s in all; each message arrived exactly once: "
                f"{exactly_once}",
            ),
            "fanout_fraction_of_smtplib_ceiling": _figure(
                round(fraction, 3),
                "ratio",
                ">= 0.5",
                fraction >= 0.5,
                "end-to-end rate divided by the smtplib ceiling below, measured in rounds "
                "that alternate with the sender's, over as many connections",
            ),
            "smtplib_ceiling_messages_per_second": _figure(
                round(ceiling, 1),
                "msg/s",
                "reference",
                True,
                f"bare smtplib loops over {ceiling_connections} connections (one thread each, "
                "as many as the senders use), the same messages rendered beforehand (rendering "
                f"not timed), in {ROUNDS} rounds alternating with the sender's",
            ),
            "fanout_enqueue_seconds": _figure(
                round(enqueue_seconds, 3),
                "s",
                "reference",
                True,
                f"messages_fan_out of {MESSAGES} messages: one transaction, chunks of 1000 "
                "(one read and one INSERT statement run for the chunk's rows each)",
            ),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
