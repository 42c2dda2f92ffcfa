"""Sending the outbox: claiming due messages, SMTP delivery, retries with backoff, dead letters.

Senders claim rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; one conditional
``UPDATE`` under SQLite's single writer), send them over a few SMTP connections kept open for
the batch (``smtp_lanes``, aiosmtplib's; other mail backends a message at a time), and commit
each row as sent straight after the server accepts it. A sender killed between the server's
acceptance and that commit sends its one in-flight message again after the lease runs out (the
connections take turns, so there is only ever one); the stable Message-ID lets receiving
servers drop that duplicate. Consent and the member's choice for the group are checked again
at send time. Failures are retried with exponential backoff, then kept as dead letters.
Queueing is ``services``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent
from rankandfile.notifications.kinds import (
    ADDRESSED_KIND_LIFETIME,
    FORGOTTEN_ONCE_SENT,
    OPTIONAL_KINDS,
)
from rankandfile.notifications.models import (
    SENDABLE,
    Frequency,
    KindOptOut,
    Message,
    MessageClass,
    MessageStatus,
    Preference,
)
from rankandfile.notifications.rendering import email_for
from rankandfile.notifications.services import deliver_soon
from rankandfile.notifications.smtp_lanes import SmtpLanes

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    held: int = 0
    released: int = 0
    retry_at: list[datetime] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "failed", "dead", "skipped", "held", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.retry_at.extend(other.retry_at)


def _claimable(now: datetime) -> Q:
    return Q(status__in=SENDABLE, next_attempt_at__lte=now) & (
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    )


def messages_claim(*, token: str, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Claim up to ``limit`` due messages for one sender; no two senders get the same row.

    A message whose lease has run out (its sender died) is claimable again.
    """
    due = Message.objects.filter(_claimable(now)).order_by("next_attempt_at", "pk")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        else:
            # SQLite: one writer at a time (transactions begin IMMEDIATE), and the UPDATE below
            # re-checks the condition, so a row is claimed by exactly one sender.
            ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Message.objects.filter(_claimable(now), pk__in=ids).update(
            claimed_by=token, lease_expires_at=now + lease
        )
    return list(Message.objects.filter(pk__in=ids, claimed_by=token).values_list("pk", flat=True))


def _backoff(attempts: int) -> timedelta:
    base = _setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    ceiling = _setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(ceiling, base * 2 ** (attempts - 1)))


def _is_permanent(error: BaseException) -> bool:
    """A 5xx answer will not change on retry: the message goes straight to dead-letter."""
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


# Anything with an "@" in it, up to a space, quote or bracket: an address, or the most of one.
_ADDRESS = re.compile(r"""[^\s<>()\[\]{}'",;]*@[^\s<>()\[\]{}'",;]*""")


def _without_addresses(text: str) -> str:
    return _ADDRESS.sub("<address>", text)


def _describe(error: BaseException) -> str:
    """The reason for a failure, kept on the row and shown in the admin: the SMTP code and the
    server's text, never an address. aiosmtplib keeps the refused recipient on the error, and
    the recipient of a pledge message is a pledger, so the text is rebuilt from the code and
    the server's words, addresses removed; for a connection that failed, what caused it."""
    name = type(error).__name__
    if isinstance(error, aiosmtplib.SMTPResponseException):
        described = f"{name} {error.code}: {_reply_text(error.message)}"
    else:
        described = f"{name}: {error}"
        if error.__cause__ is not None:
            described += f" ({type(error.__cause__).__name__})"
    return _without_addresses(described)[:2000]


def _reply_text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _record_failure(
    *, message: Message, token: str, error: BaseException, report: DeliveryReport
) -> None:
    now = timezone.now()
    attempts = message.attempts + 1
    dead = _is_permanent(error) or attempts >= _setting("NOTIFICATIONS_MAX_ATTEMPTS", 6)
    next_attempt = now if dead else now + _backoff(attempts)
    Message.objects.filter(pk=message.pk, claimed_by=token).update(
        status=MessageStatus.DEAD if dead else MessageStatus.FAILED,
        attempts=attempts,
        next_attempt_at=next_attempt,
        last_error=_describe(error),
        claimed_by="",
        lease_expires_at=None,
    )
    if dead:
        report.dead += 1
        logger.warning("Outbox message %s dead after %s attempts", message.pk, attempts)
    else:
        report.failed += 1
        report.retry_at.append(next_attempt)


def _forgetting(message: Message) -> dict[str, Any]:
    """What a message of a kind that reveals a pledge or a place on a roll forgets once it is
    sent or skipped (``kinds.FORGOTTEN_ONCE_SENT``): its member, and the member's id in its key.

    The key (``<event>:member:<id>``) is what keeps one event from queueing a message twice;
    it is no longer needed once the message is sent, because the event that queued it (a
    stage's deadline, a ballot opening, closing or reminding) moved its stage or ballot on in
    the same transaction and cannot queue it again. The row keeps the event, so the outbox
    still counts what each event sent, and a random suffix keeps the key unique. Messages to
    be sent or retried (queued, failed, dead letters) keep their member until then."""
    if message.template not in FORGOTTEN_ONCE_SENT:
        return {}
    event = message.key.partition(":member:")[0][:150]
    return {"recipient_id": None, "key": f"{event}:sent:{uuid.uuid4().hex}"}


def _record_skip(*, message: Message, token: str, reason: str, report: DeliveryReport) -> None:
    Message.objects.filter(pk=message.pk, claimed_by=token).update(
        status=MessageStatus.SKIPPED,
        last_error=reason,
        context={},
        claimed_by="",
        lease_expires_at=None,
        **_forgetting(message),
    )
    report.skipped += 1


def _record_sent(*, message: Message, token: str, report: DeliveryReport) -> None:
    # Committed at once (autocommit), as each message is accepted: only the message in flight
    # can be sent twice after a crash.
    updated = Message.objects.filter(pk=message.pk, claimed_by=token).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        context={},
        claimed_by="",
        lease_expires_at=None,
        **_forgetting(message),
    )
    if not updated:
        logger.error("Outbox message %s was sent after its lease had been lost", message.pk)
    report.sent += 1


def _fast_commits(*, on: bool) -> None:
    """On PostgreSQL, do not wait for the disk on each per-message commit while sending.

    A killed worker cannot lose such a commit (it is already in the server and visible to every
    other worker); only a crash of the database server itself in the next fraction of a second
    could, and then the message is sent again, never lost. Waiting for the disk on every message
    would otherwise halve the send rate.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = " + ("off" if on else "DEFAULT"))


def _release(*, ids: Iterable[int], token: str, report: DeliveryReport) -> None:
    report.released += Message.objects.filter(pk__in=list(ids), claimed_by=token).update(
        claimed_by="", lease_expires_at=None
    )


def _record_held(*, message: Message, token: str, frequency: str, report: DeliveryReport) -> None:
    """The member chose a digest for the group after the message was queued: it waits for it."""
    Message.objects.filter(pk=message.pk, claimed_by=token).update(
        status=MessageStatus.HELD,
        digest_frequency=frequency,
        claimed_by="",
        lease_expires_at=None,
    )
    report.held += 1


def _sendable(*, messages: list[Message], token: str, report: DeliveryReport) -> list[Message]:
    """The claimed messages that may go now; the rest are skipped or held, as at queueing.

    Consent and the member's choice for the group are read again here, two queries a batch:
    a member who unsubscribed, or chose a digest or no email from the group, after a campaign
    message was queued does not get it now. Service messages go whatever the choices, but
    for the kinds a member may turn off (``kinds.OPTIONAL_KINDS``), read again here too.
    """
    campaign = [m for m in messages if m.message_class == MessageClass.CAMPAIGN]
    consenting = set(
        Consent.objects.filter(
            member_id__in={m.recipient_id for m in campaign},
            purpose=ConsentPurpose.CAMPAIGN_EMAIL,
            withdrawn_at__isnull=True,
        ).values_list("member_id", flat=True)
    )
    grouped = [m for m in campaign if m.group_id is not None]
    chosen: dict[tuple[int | None, int | None], str] = {}
    if grouped:
        rows = Preference.objects.filter(
            member_id__in={m.recipient_id for m in grouped},
            group_id__in={m.group_id for m in grouped},
        ).values_list("member_id", "group_id", "frequency")
        chosen = {(member_id, group_id): frequency for member_id, group_id, frequency in rows}
    optional = [m for m in messages if m.template in OPTIONAL_KINDS]
    turned_off: set[tuple[int | None, str]] = set()
    if optional:
        turned_off = set(
            KindOptOut.objects.filter(
                member_id__in={m.recipient_id for m in optional},
                kind__in={m.template for m in optional},
            ).values_list("member_id", "kind")
        )
    sendable = []
    for message in messages:
        recipient = message.recipient  # None only for an addressed kind, to a non-member
        if recipient is not None and (not recipient.is_active or not recipient.email):
            _record_skip(message=message, token=token, reason="account closed", report=report)
            continue
        if (message.recipient_id, message.template) in turned_off:
            reason = "this kind of message turned off by the member"
            _record_skip(message=message, token=token, reason=reason, report=report)
            continue
        if message.message_class != MessageClass.CAMPAIGN:
            sendable.append(message)
            continue
        frequency = chosen.get((message.recipient_id, message.group_id), Frequency.IMMEDIATE)
        if message.recipient_id not in consenting:
            reason = "no campaign-email consent at send time"
            _record_skip(message=message, token=token, reason=reason, report=report)
        elif frequency == Frequency.NONE:
            reason = "no campaign email from this group, chosen after it was queued"
            _record_skip(message=message, token=token, reason=reason, report=report)
        elif frequency in (Frequency.DAILY, Frequency.WEEKLY):
            _record_held(message=message, token=token, frequency=frequency, report=report)
        else:
            sendable.append(message)
    return sendable


# A batch gets one more SMTP connection for every this many messages, up to
# NOTIFICATIONS_SENDER_CONNECTIONS: a connection costs a connect and an EHLO.
MESSAGES_PER_CONNECTION = 25

# What sending reads of a message and its member (a member row is wide).
_SENDING_FIELDS = (
    "key",
    "message_class",
    "template",
    "context",
    "group_id",
    "attempts",
    "next_attempt_at",
    "recipient__email",
    "recipient__display_name",
    "recipient__is_active",
)


def _send_through_backend(
    *, mailer: Any, sendable: list[Message], token: str, report: DeliveryReport, stop_at: datetime
) -> None:
    """Any other mail backend (the console in development, the test outbox): a Django email
    at a time."""
    mailer.open()
    try:
        for index, message in enumerate(sendable):
            if timezone.now() >= stop_at:
                _release(ids=[m.pk for m in sendable[index:]], token=token, report=report)
                break
            try:
                # A backend set to fail silently returns 0 rather than raising.
                if mailer.send_messages([email_for(message, message.recipient)]) != 1:
                    raise RuntimeError("The mail backend did not send the message")
            except Exception as error:  # a template error fails this message, not the batch
                _record_failure(message=message, token=token, error=error, report=report)
                continue
            _record_sent(message=message, token=token, report=report)
    finally:
        mailer.close()


def messages_deliver_batch(
    *, limit: int | None = None, connections: int | None = None
) -> DeliveryReport:
    """Claim one batch and send it over SMTP connections kept open for the batch (up to
    ``connections``, NOTIFICATIONS_SENDER_CONNECTIONS by default, one per 25 messages); each
    row is committed as sent as soon as the server has accepted it."""
    limit = limit or _setting("NOTIFICATIONS_BATCH_SIZE", 200)
    connections = connections or _setting("NOTIFICATIONS_SENDER_CONNECTIONS", 4)
    lease = timedelta(seconds=_setting("NOTIFICATIONS_LEASE_SECONDS", 300))
    token = uuid.uuid4().hex
    now = timezone.now()
    report = DeliveryReport()
    ids = messages_claim(token=token, limit=limit, now=now, lease=lease)
    if not ids:
        return report
    report.claimed = len(ids)
    # Stop a little before the lease runs out, so no other sender can take a row we still send.
    stop_at = now + lease - min(lease / 5, timedelta(seconds=30))
    messages = list(
        Message.objects.filter(pk__in=ids, claimed_by=token)
        .select_related("recipient")
        .only(*_SENDING_FIELDS)
        .order_by("next_attempt_at", "pk")
    )
    sendable = _sendable(messages=messages, token=token, report=report)
    if not sendable:
        return report
    mailer = mailers.default
    if not isinstance(mailer, SmtpBackend):
        _send_through_backend(
            mailer=mailer, sendable=sendable, token=token, report=report, stop_at=stop_at
        )
        return report
    lanes = SmtpLanes(
        sendable=sendable,
        stop_at=stop_at,
        record_sent=lambda message: _record_sent(message=message, token=token, report=report),
        record_failure=lambda message, error: _record_failure(
            message=message, token=token, error=error, report=report
        ),
        release=lambda messages: _release(ids=[m.pk for m in messages], token=token, report=report),
    )
    try:
        lanes.open(max(1, min(connections, len(sendable) // MESSAGES_PER_CONNECTION)))
    except (aiosmtplib.SMTPException, OSError) as error:
        lanes.close()
        for message in sendable:
            _record_failure(message=message, token=token, error=error, report=report)
        return report
    except BaseException:
        lanes.close()
        raise
    _fast_commits(on=True)
    try:
        lanes.run()
    finally:
        _fast_commits(on=False)
        lanes.close()
    return report


def messages_deliver_due(
    *, max_batches: int | None = None, connections: int | None = None
) -> DeliveryReport:
    """Send batches until nothing is due; failed messages are left for their next attempt."""
    total = DeliveryReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        report = messages_deliver_batch(connections=connections)
        batches += 1
        total.add(report)
        if report.claimed == 0 or report.sent + report.skipped + report.held + report.released == 0:
            break
    return total


@transaction.atomic
def messages_retry_dead(*, ids: Iterable[int] | None = None) -> int:
    """Give dead letters a fresh set of attempts; returns how many were requeued."""
    dead = Message.objects.filter(status=MessageStatus.DEAD)
    if ids is not None:
        dead = dead.filter(pk__in=list(ids))
    count = dead.update(
        status=MessageStatus.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_by="",
        lease_expires_at=None,
    )
    if count:
        transaction.on_commit(deliver_soon)
    return count


def messages_addressed_expire(*, now: datetime | None = None) -> int:
    """Clear account email and invitations that could not be delivered while their one-time
    link still worked (``kinds.ADDRESSED_KIND_LIFETIME``): queued, failing or dead, they are
    marked skipped and their content, address and link are emptied, so that no secret lingers
    in the outbox. Messages being sent right now are left to finish. Returns how many."""
    now = now or timezone.now()
    expired = 0
    for template, lifetime in ADDRESSED_KIND_LIFETIME.items():
        expired += (
            Message.objects.filter(
                template=template,
                status__in=[MessageStatus.QUEUED, MessageStatus.FAILED, MessageStatus.DEAD],
                created_at__lt=now - lifetime,
            )
            .filter(Q(claimed_by="") | Q(lease_expires_at__lt=now))
            .update(
                status=MessageStatus.SKIPPED,
                context={},
                last_error="Expired: its one-time link would no longer work.",
                claimed_by="",
                lease_expires_at=None,
            )
        )
    return expired
