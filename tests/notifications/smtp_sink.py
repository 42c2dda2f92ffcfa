"""A real SMTP server on localhost (aiosmtpd in a thread) that records what it is given."""

from __future__ import annotations

import email
import logging
import multiprocessing
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from multiprocessing.connection import Connection
from typing import Any

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO: thousands of lines in a failing test's report.
logging.getLogger("mail.log").setLevel(logging.WARNING)

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """The aiosmtpd handler. ``answer`` replaces the 250 to DATA (for example a 451).

    Every Message-ID is counted as it arrives; with ``parse`` off nothing else is kept, so
    that thousands of messages are cheap to take in.
    """

    parse: bool = True
    received: list[Received] = field(default_factory=list)
    message_ids: Counter[str] = field(default_factory=Counter)
    answer: str | None = None
    connections: int = 0
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer is not None:
            return self.answer
        match = _MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.message_ids[match.group(1).decode() if match else ""] += 1
        if self.parse:
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            with self.lock:
                self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


class SmtpSink:
    def __init__(self, *, parse: bool = True) -> None:
        self.recorder = Recorder(parse=parse)
        self.port = free_port()
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.recorder.lock:
            return [r.message for r in self.recorder.received]

    def message_id_counts(self) -> Counter[str]:
        with self.recorder.lock:
            return Counter(self.recorder.message_ids)

    def distinct_message_ids(self) -> int:
        with self.recorder.lock:
            return len(self.recorder.message_ids)

    def total(self) -> int:
        with self.recorder.lock:
            return self.recorder.message_ids.total()

    def mailers_setting(self) -> dict[str, dict[str, Any]]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 5},
            }
        }


def _serve_counting(port: int, totals: Any, control: Connection) -> None:
    """Child process: an aiosmtpd server that only counts Message-IDs."""
    recorder = Recorder(parse=False)

    class Counting(Recorder):
        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            return await recorder.handle_EHLO(server, session, envelope, hostname, responses)

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            answer = await recorder.handle_DATA(server, session, envelope)
            with totals.get_lock():
                totals[0] = recorder.message_ids.total()
                totals[1] = len(recorder.message_ids)
            return answer

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    control.recv()
    controller.stop()
    control.send((dict(recorder.message_ids), recorder.connections))


class SmtpSinkProcess:
    """The same aiosmtpd server in a process of its own, for thousands of messages: in the test
    process it would compete with pytest for the GIL."""

    def __init__(self) -> None:
        self.port = free_port()
        # Spawned, not forked: the test process may have threads by then (a browser test's
        # Playwright driver, the maths' BLAS pool), and a forked child can deadlock on a lock
        # one of them held.
        context = multiprocessing.get_context("spawn")
        self._totals = context.Array("q", 2)
        self._control, child = context.Pipe()
        self._process = context.Process(
            target=_serve_counting, args=(self.port, self._totals, child), daemon=True
        )
        self.connections = 0

    def start(self) -> SmtpSinkProcess:
        self._process.start()
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert time.monotonic() < deadline, "the SMTP sink did not start"
                time.sleep(0.05)

    def total(self) -> int:
        return int(self._totals[0])

    def distinct_message_ids(self) -> int:
        return int(self._totals[1])

    def stop(self) -> Counter[str]:
        """Stop the server and return how many times each Message-ID arrived."""
        self._control.send("stop")
        counts, self.connections = self._control.recv()
        self._process.join(timeout=10)
        return Counter(counts)
