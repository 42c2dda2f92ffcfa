"""Several SMTP connections driven by one thread, for the outbox sender (``sending``).

Each connection is a Django MAILERS SMTP backend's own; the commands are those of
``smtplib.SMTP.sendmail`` (MAIL, RCPT, DATA), the message text is dot-stuffed as RFC 5321
section 4.5.2 asks. What becomes of each message (sent, failed, handed back) is the caller's
to record, through the callbacks it passes.
"""

from __future__ import annotations

import logging
import re
import selectors
import smtplib
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone

from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import smtp_envelope_for

logger = logging.getLogger(__name__)

# A plain ASCII address that needs no parsing to be a safe SMTP envelope address; anything else
# goes through the backend's own check (IDNA, injection).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass
class Lane:
    """One open SMTP connection (a Django SMTP backend's) and the message it is sending."""

    mailer: SmtpBackend
    smtp: smtplib.SMTP
    sock: socket.socket
    message: Message | None = None
    address: str = ""
    data: bytes = b""
    # The reply awaited: to "mail", "rcpt", "data", or "body" (the message itself); "ready"
    # when the server waits for the message but another lane holds the turn to be accepted.
    step: str = ""


class SmtpLanes:
    """Send a batch over several SMTP connections, driven by one thread.

    One connection spends most of its time waiting for the server's replies (MAIL, RCPT,
    DATA and the message each take a round trip): meanwhile this thread renders the next
    message and sends commands on the other connections. The connections are Django MAILERS
    SMTP backends' own, and the commands those of ``smtplib.SMTP.sendmail``; only the
    finished bytes are written here (``rendering.smtp_envelope_for``) rather than by the
    backend, which parses every address with the email package's header parser.

    Exactly once: only one lane at a time may have its message's final "." sent and the
    server's answer not yet committed, so a sender killed at any moment leaves at most one
    message that the server took and the outbox does not know was sent. Its stable Message-ID
    lets the receiving server drop the copy sent again once the lease runs out.
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
        self.selector = selectors.DefaultSelector()
        self.accepting: Lane | None = None
        self.ready: deque[Lane] = deque()
        self.sender = ""
        self.timeout = 300.0

    def open(self, connections: int) -> None:
        """Open up to ``connections``; raises only if not even one opens."""
        for _ in range(connections):
            mailer = mailers.default
            assert isinstance(mailer, SmtpBackend)
            try:
                mailer.open()
                smtp = mailer.connection
                if smtp is None or smtp.sock is None:  # a mailer set to fail silently
                    raise smtplib.SMTPConnectError(421, "The SMTP connection did not open.")
                smtp.ehlo_or_helo_if_needed()
            except (smtplib.SMTPException, OSError):
                if not self.lanes:
                    raise
                logger.info("Opening another SMTP connection failed", exc_info=True)
                mailer.close()
                break
            lane = Lane(mailer=mailer, smtp=smtp, sock=smtp.sock)
            self.lanes.append(lane)
            self.selector.register(lane.sock, selectors.EVENT_READ, lane)
            self.timeout = float(mailer.timeout or 300)
        self.sender = self.lanes[0].mailer.prep_address(settings.DEFAULT_FROM_EMAIL)

    def run(self) -> None:
        for lane in list(self.lanes):
            self._start(lane)
        while waiting := [lane for lane in self.lanes if lane.step not in ("", "ready")]:
            events = self.selector.select(self.timeout)
            if not events:  # the server stopped answering: as smtplib's own read timeout
                for lane in waiting:
                    assert lane.message is not None
                    error = TimeoutError(f"No answer to {lane.step} in {self.timeout:g} s")
                    self._fail(lane, lane.message, error)
                self._take_turns()
            for key, _ in events:
                self._on_reply(key.data)
        if self.pending:  # every connection was lost: the rest go back to the queue
            self.release(list(self.pending))
            self.pending.clear()

    def close(self) -> None:
        self.selector.close()
        for lane in self.lanes:
            try:
                lane.mailer.close()
            except (smtplib.SMTPException, OSError):
                logger.info("Closing an SMTP connection failed", exc_info=True)

    def _start(self, lane: Lane) -> None:
        """Give the lane its next message (rendered here) and send MAIL; or leave it idle."""
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
                    address = lane.mailer.prep_address(address)
                smtp = lane.smtp
                size = f" SIZE={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
                lane.message, lane.address, lane.data = message, address, data
                # Both addresses are addr-specs already: no smtplib.quoteaddr, which parses
                # each address again as RFC 2822.
                smtp.putcmd("mail", f"FROM:<{self.sender}>{size}")
            except Exception as error:  # a template error fails this message, not the batch
                if not self._fail(lane, message, error):
                    return
                continue
            lane.step = "mail"
            return

    def _on_reply(self, lane: Lane) -> None:
        if lane not in self.lanes:  # dropped earlier in this round of events
            return
        message = lane.message
        if message is None or lane.step == "ready":
            # Spoken to unasked: a server closing an idle connection (421, or end of file).
            if message is not None:
                self.ready.remove(lane)
            self._drop(lane, message, smtplib.SMTPServerDisconnected("closed by the server"))
            return
        accepted = False
        try:
            code, reply = lane.smtp.getreply()
            if lane.step == "mail":
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, reply, self.sender)
                lane.smtp.putcmd("rcpt", f"TO:<{lane.address}>")
                lane.step = "rcpt"
            elif lane.step == "rcpt":
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({lane.address: (code, reply)})
                lane.smtp.putcmd("data")
                lane.step = "data"
            elif lane.step == "data":
                if code != 354:
                    raise smtplib.SMTPDataError(code, reply)
                lane.step = "ready"
                self.ready.append(lane)
            else:
                self.accepting = None
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
                accepted = True
        except Exception as error:
            if self.accepting is lane:
                self.accepting = None
            if self._fail(lane, message, error):
                self._start(lane)
        if accepted:
            # Committed before any other lane may send its message's end: the turn is ours
            # until then. A database error here stops the batch (the lease then runs out).
            self.record_sent(message)
            self._start(lane)
        self._take_turns()

    def _take_turns(self) -> None:
        """Send the next waiting message's text, once no other is awaiting its answer."""
        while self.accepting is None and self.ready:
            lane = self.ready.popleft()
            assert lane.message is not None
            try:
                lane.smtp.send(_smtp_data(lane.data))
            except Exception as error:
                if self._fail(lane, lane.message, error):
                    self._start(lane)
                continue
            lane.step = "body"
            self.accepting = lane

    def _fail(self, lane: Lane, message: Message, error: BaseException) -> bool:
        """Record a failed message; True if the lane's connection can go on."""
        code = getattr(error, "smtp_code", None)
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code = min(c for c, _ in error.recipients.values())
        if _connection_lost(error) or code == 421:
            self._drop(lane, message, error)
            return False
        self.record_failure(message, error)
        lane.step, lane.message = "", None
        if code is not None:  # the server refused: end its mail transaction
            try:
                lane.smtp.rset()
            except (smtplib.SMTPException, OSError) as lost:
                self._drop(lane, None, lost)
                return False
        return True

    def _drop(self, lane: Lane, message: Message | None, error: BaseException) -> None:
        """The connection is gone: its message (if any) fails, the others go on."""
        if message is not None:
            self.record_failure(message, error)
        if self.accepting is lane:
            self.accepting = None
        lane.step, lane.message = "", None
        self.selector.unregister(lane.sock)
        self.lanes.remove(lane)
        try:
            lane.mailer.close()
        except (smtplib.SMTPException, OSError):
            logger.info("Closing a lost SMTP connection failed", exc_info=True)


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _smtp_data(data: bytes) -> bytes:
    """The message text as sent after DATA: every line ending CRLF, leading dots doubled
    (RFC 5321 section 4.5.2), ending in CRLF "." CRLF.

    A bare CR or LF (from text a member wrote; quoted-printable keeps a bare CR as it is) is
    made a CRLF first: RFC 5321 section 2.3.8 forbids them, and a receiving server that takes
    "<CR>.<CR>" as the end of the data would read what follows as another message.
    """
    crlf = data.count(b"\r\n")
    if data.count(b"\r") != crlf or data.count(b"\n") != crlf:  # a bare one: cheaper than sub
        data = _LINE_END.sub(b"\r\n", data)
    quoted = re.sub(rb"(?m)^\.", b"..", data)
    if not quoted.endswith(b"\r\n"):
        quoted += b"\r\n"
    return quoted + b".\r\n"


def _connection_lost(error: BaseException) -> bool:
    """The connection is unusable (as opposed to the server refusing one message)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
