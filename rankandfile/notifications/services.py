"""Every write about queueing outgoing email: enqueueing, fan-out, preferences, digests,
unsubscribing. Sending the queue is ``sending``.

The outbox pattern: a message row is written in the same transaction as the event that caused
it, so a rolled-back event sends nothing and a committed one is never forgotten; a worker is
asked to send once the transaction commits. Consent and the member's choice for the group are
checked here at queueing time, and again by the sender at send time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import consent_withdraw
from rankandfile.groups.affiliations import (
    AffiliationDecision,
    affiliation_application_record,
    affiliation_decision_record,
)
from rankandfile.groups.models import Affiliation, Group, Membership, Role
from rankandfile.groups.selectors import groups_organisers
from rankandfile.groups.services import INVITATION_LIFETIME, invitation_record
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.kinds import OPTIONAL_KINDS, addressed_kind_check, kind_check
from rankandfile.notifications.models import (
    Frequency,
    KindOptOut,
    Message,
    MessageClass,
    MessageStatus,
    Preference,
)
from rankandfile.notifications.rendering import render_parts

FAN_OUT_CHUNK = 1000


def deliver_soon() -> None:
    """Ask the worker to send what is due (call it from ``transaction.on_commit``)."""
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
        transaction.on_commit(deliver_soon)
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
    consent, or who chose no campaign email from the group; a message of a kind the member
    turned off (``kinds.OPTIONAL_KINDS``). A campaign message to a member who chose a digest
    for the group is held for that digest.
    """
    kind_check(template=template, message_class=kind)
    if template in OPTIONAL_KINDS and not message_kind_wanted(member=recipient, kind=template):
        return None
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


_DIGESTS = (Frequency.DAILY, Frequency.WEEKLY)


class _FanOutInsert:
    """``bulk_create(ignore_conflicts=True)`` for messages alike but for their key, member,
    context and status: one ``INSERT ... ON CONFLICT DO NOTHING`` statement run for many rows.

    Django's bulk_create makes a model instance and prepares every field of every row in
    Python, five times the cost of the insert itself; here the shared columns are prepared
    once, from ``shared``, and the per-message ones (an encrypted JSON context) per row.
    """

    _PER_MESSAGE = ("key", "recipient_id", "context", "status", "digest_frequency")

    def __init__(self, shared: Message) -> None:
        fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
        self.row = [
            None
            if f.attname in self._PER_MESSAGE
            else f.get_db_prep_save(f.pre_save(shared, True), connection)
            for f in fields
        ]
        self.at = {name: [f.attname for f in fields].index(name) for name in self._PER_MESSAGE}
        self.context_field = Message._meta.get_field("context")
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(Message._meta.db_table)} "
            f"({', '.join(quote(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
        )

    def add_chunk(self, messages: Iterable[tuple[str, int, dict[str, Any], str]]) -> None:
        at, prepare = self.at, self.context_field.get_db_prep_save
        rows = []
        # The context is encrypted: once for a context every message shares, not per message.
        last: tuple[dict[str, Any] | None, Any] = (None, None)
        for key, member_id, context, frequency in messages:
            held = frequency in _DIGESTS
            if last[0] is not context:
                last = (context, prepare(context, connection))
            row = self.row.copy()
            row[at["key"]] = key
            row[at["recipient_id"]] = member_id
            row[at["context"]] = last[1]
            row[at["status"]] = MessageStatus.HELD.value if held else MessageStatus.QUEUED.value
            row[at["digest_frequency"]] = frequency if held else ""
            rows.append(row)
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)


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
    insert = _FanOutInsert(
        _new_message(
            key="",
            message_class=kind,
            recipient_id=0,
            template=template,
            context={},
            group=group,
            frequency=Frequency.IMMEDIATE,
            now=timezone.now(),
        )
    )
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
        insert.add_chunk(
            (
                f"{key_prefix}:member:{member_id}",
                member_id,
                {**context, **personalise(member_id)} if personalise else context,
                frequency,
            )
            for member_id, frequency in chunk
        )
        any_queued = any_queued or any(f not in _DIGESTS for _, f in chunk)
        total += len(chunk)
    if any_queued:
        transaction.on_commit(deliver_soon)
    return total


def preference_set(*, member: User, group: Group, frequency: Frequency) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        member=member, group=group, defaults={"frequency": frequency}
    )
    return preference


def message_kind_wanted(*, member: User, kind: str) -> bool:
    """Whether the member gets messages of this kind (they have not turned it off)."""
    return not KindOptOut.objects.filter(member=member, kind=kind).exists()


def message_kinds_choose(*, member: User, wanted: Iterable[str]) -> None:
    """The member's choice of the kinds they may turn off: those in ``wanted`` on, the rest
    off. A kind that cannot be turned off is ignored."""
    wanted = set(wanted)
    off = [kind for kind in OPTIONAL_KINDS if kind not in wanted]
    with transaction.atomic():
        KindOptOut.objects.filter(member=member).exclude(kind__in=off).delete()
        KindOptOut.objects.bulk_create(
            [KindOptOut(member=member, kind=kind) for kind in off], ignore_conflicts=True
        )


def campaign_email_unsubscribe(*, member: User) -> bool:
    """One-click unsubscribe: withdraw campaign-email consent. Service email is unaffected.

    Messages already queued are not sent: the sender checks consent again at send time.
    """
    return consent_withdraw(member=member, purpose=ConsentPurpose.CAMPAIGN_EMAIL)


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
        assert member is not None, "a held message is a campaign message, to a member"
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


# Messages to an address --------------------------------------------------------------------


def message_enqueue_to_address(
    *,
    key: str,
    template: str,
    address: str,
    context: dict[str, Any],
    recipient: User | None = None,
) -> Message:
    """Queue one service message to an email address in the caller's transaction.

    For email whose address is not (or not yet) a member's own: account email from
    django-allauth (verification, password reset, "no account with this address") and group
    invitations. The address travels in the context, which the sender clears once the message
    is sent, together with the one-time links it carries. ``recipient`` is the member the
    message concerns, if any: a closed account then gets nothing, and an erased one takes its
    queued messages with it. The same key twice queues one message.
    """
    addressed_kind_check(template=template)
    validate_email(address)
    message, _ = _message_insert(
        Message(
            key=key,
            message_class=MessageClass.SERVICE,
            template=template,
            context={**context, "to": address},
            recipient=recipient,
            next_attempt_at=timezone.now(),
        )
    )
    return message


@transaction.atomic
def invitation_create(*, group: Group, organiser: User, email: str) -> str:
    """Invite one email address to a group; the link goes by email and its token is returned
    for tests. Through the outbox, which forgets the address and the link once it is sent."""
    invitation, token = invitation_record(group=group, organiser=organiser, email=email)
    link = absolute_url(reverse("groups:invitation_accept", kwargs={"token": token}))
    message_enqueue_to_address(
        key=f"group:{group.pk}:invitation:{invitation.pk}",
        template="group_invitation",
        address=email.strip(),
        context={"group_name": group.name, "link": link, "days": INVITATION_LIFETIME.days},
    )
    return token


@transaction.atomic
def affiliation_apply(*, group: Group, organiser: User, statement: str = "") -> Affiliation:
    """An organiser applies for the group to join the network, and a service message tells each
    network coordinator who may decide it (not one who organises the group), sent once the
    application commits."""
    affiliation = affiliation_application_record(
        group=group, organiser=organiser, statement=statement
    )
    own = Membership.objects.filter(group=group, role=Role.ORGANISER).values("member_id")
    coordinators = User.objects.filter(is_network_coordinator=True, is_active=True).exclude(
        pk__in=own
    )
    context = {
        "group_name": group.name,
        "decide_url": absolute_url(
            reverse("coordinators:affiliation_decide", kwargs={"affiliation_id": affiliation.pk})
        ),
    }
    for coordinator in coordinators.order_by("pk"):
        message_enqueue(
            key=f"affiliation:{affiliation.pk}:applied:member:{coordinator.pk}",
            kind=MessageClass.SERVICE,
            recipient=coordinator,
            template="affiliation_applied",
            context=context,
            group=group,
        )
    return affiliation


@transaction.atomic
def affiliation_decide(
    *, affiliation: Affiliation, coordinator: User, approve: bool, reason: str = ""
) -> AffiliationDecision:
    """A coordinator's decision on a group's application to join the network, and a service
    message to each of the group's organisers saying it (with the reason for a decline), sent
    once the decision commits."""
    decision = affiliation_decision_record(
        affiliation=affiliation, coordinator=coordinator, approve=approve, reason=reason
    )
    decided = decision.affiliation
    group = decided.group
    context = {
        "group_name": group.name,
        "approved": decision.approved,
        "reason": decided.decline_reason,
        "affiliation_url": absolute_url(reverse("groups:affiliation", kwargs={"slug": group.slug})),
    }
    for organiser in groups_organisers(group):
        message_enqueue(
            key=f"affiliation:{decided.pk}:decided:member:{organiser.pk}",
            kind=MessageClass.SERVICE,
            recipient=organiser,
            template="affiliation_decided",
            context=context,
            group=group,
        )
    return decision
