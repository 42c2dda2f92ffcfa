"""The outbox: one row per email to one member, written in the transaction of its cause."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rankandfile.groups.models import Group
from rankandfile.lib.fields import EncryptedJSONField, EncryptedJSONListField


class MessageClass(models.TextChoices):
    """Service email goes to every member; campaign email only with campaign-email consent."""

    SERVICE = "service", "Service"
    CAMPAIGN = "campaign", "Campaign"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    FAILED = "failed", "Failed, to be retried"
    HELD = "held", "Held for a digest"
    SENT = "sent", "Sent"
    DIGESTED = "digested", "Sent in a digest"
    SKIPPED = "skipped", "Not sent (consent withdrawn or account gone)"
    DEAD = "dead", "Dead letter"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Every message"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"
    NONE = "none", "No campaign email from this group"


# The statuses a sender may claim; the others are final or wait for a digest.
SENDABLE = (MessageStatus.QUEUED, MessageStatus.FAILED)


class Message(models.Model):
    """One email to one member.

    The address is not stored: it is read from the member when the message is sent, so a member
    who changes their address gets it at the new one and a member who erased their account gets
    nothing. ``key`` names the event (``campaign:42:trigger:member:7``) and is unique, so one
    event can never queue the same message twice.

    The exception is a service message of an addressed kind (``kinds.ADDRESSED_KINDS``: account
    email, group invitations), which goes to the address in its context, and whose recipient is
    the member it concerns, if any. The context, address and one-time links included, is
    cleared once the message is sent.

    The context is encrypted at rest: until the message is sent it may hold an address (in
    ``to``, and in the text of an account email), names and one-time links.
    """

    key = models.CharField(max_length=200, unique=True)
    message_class = models.CharField(max_length=16, choices=MessageClass.choices)
    template = models.CharField(max_length=64)
    context = EncryptedJSONField(default=dict, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox_messages"
    )
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    # Set for messages held for a digest: which digest gathers them.
    digest_frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A sender's claim: its token and until when it holds the message. A claim whose lease has
    # run out (the sender died) may be taken by another sender.
    claimed_by = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[MessageStatus.SENT, MessageStatus.DIGESTED])
                | Q(sent_at__isnull=True),
                name="notifications_message_sent_at_only_when_sent",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False),
                name="notifications_message_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.HELD)
                | Q(digest_frequency__in=[Frequency.DAILY, Frequency.WEEKLY]),
                name="notifications_message_held_for_a_digest",
            ),
            models.CheckConstraint(
                condition=Q(message_class__in=MessageClass.values),
                name="notifications_message_class_valid",
            ),
            # Only a service message may go to an address that is not a member's.
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(message_class=MessageClass.SERVICE),
                name="notifications_message_campaign_has_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["status", "digest_frequency", "recipient"], name="notif_msg_held"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.template}, {self.status})"


class Preference(models.Model):
    """How often a member wants campaign email from one group. No row means every message."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "group"], name="notifications_preference_unique"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="notifications_preference_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.group}: {self.frequency}"


class KindOptOut(models.Model):
    """A member's "do not send me this" for one kind of message that may be turned off
    (``kinds.OPTIONAL_KINDS``). No row means the member gets it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notifications_opt_out_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} turned off {self.kind}"


class MemberImport(models.Model):
    """A CSV of people to invite, uploaded by an organiser and waiting for their confirmation.

    It holds the file's cells (names and addresses: personal data) only until it is confirmed,
    when the valid rows become invitations and this row is deleted, or until it expires, when
    the clock's ``member_imports_expire`` deletes it. Invitations keep an email digest only.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="member_imports")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_imports"
    )
    encoding = models.CharField(max_length=16)
    # The file's header and cells, encrypted at rest (they may name people).
    header = EncryptedJSONListField(default=list)
    # [[line number, [cells...]], ...]
    rows = EncryptedJSONListField(default=list)
    # Field name ("email", "first_name", ...) -> column index in ``header``.
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"Member import {self.pk} for {self.group}"
