"""Every write about outgoing email: queueing, fan-out, sending, retries, digests, unsubscribing.

The outbox pattern: a message row is written in the same transaction as the event that caused
it, so a rolled-back event sends nothing and a committed one is never forgotten. Senders claim
rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; one conditional ``UPDATE`` under
SQLite's single writer), send them over one SMTP connection per batch, and commit each row as
sent straight after the server accepts it. A sender killed between the server's acceptance and
that commit sends its one in-flight message again after the lease runs out; the stable
Message-ID lets receiving servers drop that duplicate.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import consent_withdraw
from rankandfile.groups.models import Group
from rankandfile.notifications.kinds import kind_check
from rankandfile.notifications.models import (
    SENDABLE,
    Frequency,
    Message,
    MessageClass,
    MessageStatus,
    Preference,
)
from rankandfile.notifications.rendering import email_for, render_parts

logger = logging.getLogger(__name__)

FAN_OUT_CHUNK = 1000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _deliver_soon() -> None:
    from rankandfile.notifications.tasks import outbox_deliver

    outbox_deliver.enqueue()


# Queueing ----------------------------------------------------------------------------------


def _frequency_for(*, member_id: int, group: Group | None) -> str:
    if group is None:
        return Frequency.IMMEDIATE
    frequency = (
        Preference.objects.filter(member_id=member_id, group=group)
        .values_list("frequency", flat=True)
        .first()
    )
    return frequency or Frequency.IMMEDIATE


def _new_message(
    *,
    key: str,
    message_class: MessageClass,
    recipient_id: int,
    template: str,
    context: dict[str, Any],
    group: Group | None,
    frequency: str,
    now: datetime,
) -> Message:
    held = frequency in (Frequency.DAILY, Frequency.WEEKLY)
    return Message(
        key=key,
        message_class=message_class,
        template=template,
        context=context,
        recipient_id=recipient_id,
        group=group,
        status=MessageStatus.HELD if held else MessageStatus.QUEUED,
        digest_frequency=frequency if held else "",
        next_attempt_at=now,
    )


def _message_insert(message: Message) -> tuple[Message, bool]:
    """Insert, or return the existing row with the same key: the unique key decides, not a read."""
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        existing = Message.objects.filter(key=message.key).first()
        if existing is None:
            raise
        return existing, False
    if message.status == MessageStatus.QUEUED:
        transaction.on_commit(_deliver_soon)
    return message, True


def message_enqueue(
    *,
    key: str,
    kind: MessageClass,
    recipient: User,
    template: str,
    context: dict[str, Any],
    group: Group | None = None,
) -> Message | None:
    """Queue one message in the caller's transaction; the same key twice queues it once.

    Returns None when nothing is queued: a campaign message to a member without campaign-email
    consent, or who chose no campaign email from the group. A campaign message to a member who
    chose a digest for the group is held for that digest.
    """
    kind_check(template=template, message_class=kind)
    frequency: str = Frequency.IMMEDIATE
    if kind == MessageClass.CAMPAIGN:
        if not recipient.is_active or not member_has_consent(
            recipient, ConsentPurpose.CAMPAIGN_EMAIL
        ):
            return None
        frequency = _frequency_for(member_id=recipient.pk, group=group)
        if frequency == Frequency.NONE:
            return None
    message, _ = _message_insert(
        _new_message(
            key=key,
            message_class=kind,
            recipient_id=recipient.pk,
            template=template,
            context=context,
            group=group,
            frequency=frequency,
            now=timezone.now(),
        )
    )
    return message


@transaction.atomic
def messages_fan_out(
    *,
    key_prefix: str,
    kind: MessageClass,
    template: str,
    recipients: QuerySet[User],
    context: dict[str, Any],
    group: Group | None = None,
    personalise: Callable[[int], dict[str, Any]] | None = None,
    chunk_size: int = FAN_OUT_CHUNK,
) -> int:
    """Queue one message per recipient, keyed ``<key_prefix>:member:<id>``; returns how many.

    Memory and queries are bounded by ``chunk_size``: recipient ids are read in key order a
    chunk at a time (consent and preference are joined in SQL) and written with one bulk insert
    per chunk; keys already queued are skipped by the database. ``recipients`` must be an
    unsliced queryset; ``personalise`` adds per-member context from a member id.
    """
    kind_check(template=template, message_class=kind)
    rows = recipients.filter(is_active=True)
    if kind == MessageClass.CAMPAIGN:
        consenting = Consent.objects.filter(
            purpose=ConsentPurpose.CAMPAIGN_EMAIL, withdrawn_at__isnull=True
        ).values("member_id")
        rows = rows.filter(pk__in=consenting)
        if group is not None:
            chosen = Preference.objects.filter(member=OuterRef("pk"), group=group).values(
                "frequency"
            )[:1]
            rows = rows.annotate(
                chosen_frequency=Coalesce(Subquery(chosen), Value(Frequency.IMMEDIATE.value))
            ).exclude(chosen_frequency=Frequency.NONE)
        else:
            rows = rows.annotate(chosen_frequency=Value(Frequency.IMMEDIATE.value))
    else:
        rows = rows.annotate(chosen_frequency=Value(Frequency.IMMEDIATE.value))
    now = timezone.now()
    total, last_id = 0, 0
    any_queued = False
    while True:
        chunk = list(
            rows.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "chosen_frequency")[:chunk_size]
        )
        if not chunk:
            break
        last_id = chunk[-1][0]
        batch = [
            _new_message(
                key=f"{key_prefix}:member:{member_id}",
                message_class=kind,
                recipient_id=member_id,
                template=template,
                context={**context, **personalise(member_id)} if personalise else context,
                group=group,
                frequency=frequency,
                now=now,
            )
            for member_id, frequency in chunk
        ]
        any_queued = any_queued or any(m.status == MessageStatus.QUEUED for m in batch)
        Message.objects.bulk_create(batch, ignore_conflicts=True)
        total += len(batch)
    if any_queued:
        transaction.on_commit(_deliver_soon)
    return total


def preference_set(*, member: User, group: Group, frequency: Frequency) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        member=member, group=group, defaults={"frequency": frequency}
    )
    return preference


def campaign_email_unsubscribe(*, member: User) -> bool:
    """One-click unsubscribe: withdraw campaign-email consent. Service email is unaffected.

    Messages already queued are not sent: the sender checks consent again at send time.
    """
    return consent_withdraw(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)


# Sending -----------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    released: int = 0
    retry_at: list[datetime] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("claimed", "sent", "failed", "dead", "skipped", "released"):
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
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


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


def _record_skip(*, message: Message, token: str, reason: str, report: DeliveryReport) -> None:
    Message.objects.filter(pk=message.pk, claimed_by=token).update(
        status=MessageStatus.SKIPPED,
        last_error=reason,
        context={},
        claimed_by="",
        lease_expires_at=None,
    )
    report.skipped += 1


def _record_sent(*, message: Message, token: str, report: DeliveryReport) -> None:
    # Committed at once (autocommit): only the message in flight can be sent twice after a
    # crash. Plain SQL because this runs once per message sent, at deadline-day rates.
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
            "last_error = '', context = %s, claimed_by = '', lease_expires_at = NULL "
            "WHERE id = %s AND claimed_by = %s",
            [
                MessageStatus.SENT.value,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                "{}",
                message.pk,
                token,
            ],
        )
        updated = cursor.rowcount
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


def _connection_lost(error: BaseException) -> bool:
    """The connection is unusable (as opposed to the server refusing one message)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def messages_deliver_batch(*, limit: int | None = None) -> DeliveryReport:
    """Claim one batch and send it over one SMTP connection; each row is committed as it goes."""
    limit = limit or _setting("NOTIFICATIONS_BATCH_SIZE", 200)
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
        .order_by("next_attempt_at", "pk")
    )
    campaign_ids = {m.recipient_id for m in messages if m.message_class == MessageClass.CAMPAIGN}
    consenting = set(
        Consent.objects.filter(
            member_id__in=campaign_ids,
            purpose=ConsentPurpose.CAMPAIGN_EMAIL,
            withdrawn_at__isnull=True,
        ).values_list("member_id", flat=True)
    )
    sendable = []
    for message in messages:
        recipient = message.recipient
        if not recipient.is_active or not recipient.email:
            _record_skip(message=message, token=token, reason="account closed", report=report)
        elif (
            message.message_class == MessageClass.CAMPAIGN
            and message.recipient_id not in consenting
        ):
            reason = "no campaign-email consent at send time"
            _record_skip(message=message, token=token, reason=reason, report=report)
        else:
            sendable.append(message)
    if not sendable:
        return report
    mailer = mailers.default
    try:
        mailer.open()
    except (smtplib.SMTPException, OSError) as error:
        for message in sendable:
            _record_failure(message=message, token=token, error=error, report=report)
        return report
    _fast_commits(on=True)
    try:
        for index, message in enumerate(sendable):
            if timezone.now() >= stop_at:
                _release(ids=[m.pk for m in sendable[index:]], token=token, report=report)
                break
            try:
                mailer.send_messages([email_for(message, message.recipient)])
            except Exception as error:  # a template error fails this message, not the batch
                _record_failure(message=message, token=token, error=error, report=report)
                if _connection_lost(error):
                    # The rest go back to the queue untouched and are claimed again at once.
                    rest = [m.pk for m in sendable[index + 1 :]]
                    _release(ids=rest, token=token, report=report)
                    break
                continue
            _record_sent(message=message, token=token, report=report)
    finally:
        _fast_commits(on=False)
        try:
            mailer.close()
        except (smtplib.SMTPException, OSError):
            logger.info("Closing the SMTP connection failed", exc_info=True)
    return report


def messages_deliver_due(*, max_batches: int | None = None) -> DeliveryReport:
    """Send batches until nothing is due; failed messages are left for their next attempt."""
    total = DeliveryReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        report = messages_deliver_batch()
        batches += 1
        total.add(report)
        if report.claimed == 0 or report.sent + report.skipped + report.released == 0:
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
        transaction.on_commit(_deliver_soon)
    return count


# Digests -----------------------------------------------------------------------------------


def _digest_period(frequency: Frequency, now: datetime) -> str:
    local = timezone.localtime(now)
    if frequency == Frequency.DAILY:
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_send_for_member(*, member_id: int, frequency: Frequency, now: datetime) -> bool:
    """Gather a member's held messages into one digest message; True if a digest was queued.

    The digest's key names the period, so running the job twice in a period queues one
    digest; items held after the first run wait for the next period.
    """
    with transaction.atomic():
        items = list(
            Message.objects.select_for_update(of=("self",))
            .filter(recipient_id=member_id, status=MessageStatus.HELD, digest_frequency=frequency)
            .select_related("group", "recipient")
            .order_by("created_at", "pk")
        )
        if not items:
            return False
        member = items[0].recipient
        if not member.is_active or not member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL):
            Message.objects.filter(pk__in=[i.pk for i in items]).update(
                status=MessageStatus.SKIPPED,
                last_error="no campaign-email consent at digest time",
                context={},
            )
            return False
        entries = []
        for item in items:
            subject, text, _ = render_parts(
                template=item.template,
                context={**item.context, "in_digest": True},
                recipient=member,
            )
            entries.append(
                {"group": item.group.name if item.group else "", "subject": subject, "text": text}
            )
        period = _digest_period(frequency, now)
        digest, created = _message_insert(
            _new_message(
                key=f"digest:{frequency}:{period}:member:{member_id}",
                message_class=MessageClass.CAMPAIGN,
                recipient_id=member_id,
                template="digest",
                context={"frequency": str(Frequency(frequency).label), "items": entries},
                group=None,
                frequency=Frequency.IMMEDIATE,
                now=timezone.now(),
            )
        )
        if not created:
            return False
        Message.objects.filter(pk__in=[i.pk for i in items]).update(
            status=MessageStatus.DIGESTED, digest=digest, context={}
        )
        return True


def digests_send(*, frequency: Frequency, now: datetime | None = None) -> int:
    """Queue one digest per member with held messages for this frequency; returns how many."""
    now = now or timezone.now()
    member_ids = (
        Message.objects.filter(status=MessageStatus.HELD, digest_frequency=frequency)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    queued = 0
    for member_id in list(member_ids):
        if digest_send_for_member(member_id=member_id, frequency=frequency, now=now):
            queued += 1
    return queued
