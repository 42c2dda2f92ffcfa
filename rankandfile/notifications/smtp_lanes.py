"""Several SMTP connections side by side, for the outbox sender (``sending``), over aiosmtplib.

The SMTP itself (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, the dot-stuffing and line endings of
RFC 5321 sections 4.5.2 and 2.3.8) is aiosmtplib's; the connections are configured from the
Django MAILERS SMTP backend's settings. What becomes of each message (sent, failed, handed
back) is the caller's to record, through the callbacks it passes.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosmtplib
from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.utils import DNS_NAME
from django.utils import timezone

from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import smtp_envelope_for

logger = logging.getLogger(__name__)

# A plain ASCII address that needs no parsing to be a safe SMTP envelope address; anything else
# goes through the Django backend's own check (IDNA, injection).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass
class Lane:
    """One open SMTP connection, the message it is sending and the step it is at."""

    smtp: aiosmtplib.SMTP
    message: Message | None = None
    address: str = ""
    data: bytes = b""
    # "envelope" (MAIL and RCPT on their way), "ready" (waiting for the turn to send the
    # message), "data" (DATA and the message on their way), or "" (idle).
    step: str = ""


class SmtpLanes:
    """Send a batch over several SMTP connections, from one thread.

    Each connection spends most of its time waiting for the server's replies; meanwhile the
    others send theirs. The event loop is run from this (synchronous) code a step at a time,
    until one connection's command is answered, and every database write (the callbacks) is
    made between those steps, never inside a coroutine. That is simpler and more correct than
    ``sync_to_async``: the writes stay on this thread's database connection, the one that
    claimed the batch (in its transaction in tests, with its ``synchronous_commit`` setting on
    PostgreSQL), and a write is finished before the next step can send anything more.

    Exactly once: only one connection at a time may be sending a message's DATA and awaiting
    the server's answer, and its acceptance is recorded before any other may start, so a
    sender killed at any moment leaves at most one message that the server took and the outbox
    does not know was sent. Its stable Message-ID lets the receiving server drop the copy sent
    again once the lease runs out.
    """

    def __init__(
        self,
        *,
        sendable: list[Message],
        stop_at: datetime,
        record_sent: Callable[[Message], None],
        record_failure: Callable[[Message, BaseException], None],
        release: Callable[[list[Message]], None],
    ) -> None:
        self.pending = deque(sendable)
        self.record_sent = record_sent
        self.record_failure = record_failure
        self.release = release
        self.stop_at = stop_at
        self.lanes: list[Lane] = []
        self.tasks: dict[asyncio.Task[Any], Lane] = {}
        self.accepting: Lane | None = None
        self.ready: deque[Lane] = deque()
        self.runner = asyncio.Runner()
        mailer = mailers.default
        assert isinstance(mailer, SmtpBackend)
        self.mailer: SmtpBackend = mailer
        self.sender = ""

    def open(self, connections: int) -> None:
        """Open up to ``connections``; raises only if not even one opens."""
        mailer = self.mailer
        self.sender = mailer.prep_address(settings.DEFAULT_FROM_EMAIL)
        secure = bool(mailer.use_tls or mailer.use_ssl)
        # Django logs in only with both a user and a password; so does this.
        login = bool(mailer.username and mailer.password)
        for _ in range(connections):
            smtp = aiosmtplib.SMTP(
                hostname=mailer.host,
                port=mailer.port,
                username=mailer.username if login else None,
                password=mailer.password if login else None,
                use_tls=bool(mailer.use_ssl),  # TLS from the start (SMTPS)
                start_tls=bool(mailer.use_tls),  # STARTTLS, required when SMTP_USE_TLS
                tls_context=mailer.ssl_context if secure else None,
                timeout=mailer.timeout,
                local_hostname=str(DNS_NAME),
            )
            try:
                self.runner.run(smtp.connect())
            except (aiosmtplib.SMTPException, OSError):
                if not self.lanes:
                    raise
                logger.info("Opening another SMTP connection failed", exc_info=True)
                break
            self.lanes.append(Lane(smtp=smtp))

    def run(self) -> None:
        for lane in list(self.lanes):
            self._start(lane)
        while self.tasks:
            done, _ = self.runner.run(asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED))
            for task in done:
                self._on_reply(self.tasks.pop(task), task)
            self._take_turns()
        if self.pending:  # every connection was lost: the rest go back to the queue
            self.release(list(self.pending))
            self.pending.clear()

    def close(self) -> None:
        async def quit_all() -> None:
            quits = [lane.smtp.quit() for lane in self.lanes if lane.smtp.is_connected]
            for result in await asyncio.gather(*quits, return_exceptions=True):
                if isinstance(result, Exception):
                    logger.info("Closing an SMTP connection failed", exc_info=result)

        try:
            self.runner.run(quit_all())
        finally:
            for lane in self.lanes:
                lane.smtp.close()
            self.runner.close()

    def _begin(self, lane: Lane, step: str, command: Coroutine[Any, Any, Any]) -> None:
        lane.step = step
        self.tasks[self.runner.get_loop().create_task(command)] = lane

    def _start(self, lane: Lane) -> None:
        """Give the lane its next message (rendered here) and send MAIL and RCPT; or leave it
        idle."""
        lane.step, lane.message = "", None
        while self.pending:
            if timezone.now() >= self.stop_at:
                self.release(list(self.pending))
                self.pending.clear()
                return
            message = self.pending.popleft()
            try:
                address, data = smtp_envelope_for(message)
                if not _PLAIN_ADDRESS.fullmatch(address):
                    address = self.mailer.prep_address(address)
            except Exception as error:  # a template error fails this message, not the batch
                self.record_failure(message, error)
                continue
            lane.message, lane.address, lane.data = message, address, data
            self._begin(lane, "envelope", self._envelope(lane))
            return

    async def _envelope(self, lane: Lane) -> None:
        smtp = lane.smtp
        size = [f"SIZE={len(lane.data)}"] if smtp.supports_extension("size") else []
        await smtp.mail(self.sender, options=size)
        await smtp.rcpt(lane.address)

    def _on_reply(self, lane: Lane, task: asyncio.Task[Any]) -> None:
        message = lane.message
        assert message is not None
        if lane is self.accepting:
            self.accepting = None
        error = task.exception()
        if error is not None:
            if self._fail(lane, message, error):
                self._start(lane)
        elif lane.step == "envelope":
            lane.step = "ready"
            self.ready.append(lane)
        else:
            # Committed before any other lane may send its message: the turn is ours until
            # then. A database error here stops the batch (the lease then runs out).
            self.record_sent(message)
            self._start(lane)

    def _take_turns(self) -> None:
        """Send the next waiting message, once no other is awaiting its answer."""
        if self.accepting is None and self.ready:
            lane = self.ready.popleft()
            self.accepting = lane
            self._begin(lane, "data", lane.smtp.data(lane.data))

    def _fail(self, lane: Lane, message: Message, error: BaseException) -> bool:
        """Record a failed message; True if the lane's connection can go on."""
        code = getattr(error, "code", None)
        # aiosmtplib's lost connections and timeouts are OSErrors (ConnectionError,
        # TimeoutError); after a 421 the server closes the connection.
        if isinstance(error, OSError) or code == 421 or not lane.smtp.is_connected:
            self._drop(lane, message, error)
            return False
        self.record_failure(message, error)
        lane.step, lane.message = "", None
        try:  # end the refused mail transaction
            self.runner.run(lane.smtp.rset())
        except (aiosmtplib.SMTPException, OSError) as reset_failed:
            self._drop(lane, None, reset_failed)
            return False
        return True

    def _drop(self, lane: Lane, message: Message | None, error: BaseException) -> None:
        """The connection is gone: its message (if any) fails, the others go on."""
        if message is not None:
            self.record_failure(message, error)
        logger.info("An SMTP connection was lost: %s", type(error).__name__)
        lane.step, lane.message = "", None
        self.lanes.remove(lane)
        lane.smtp.close()
