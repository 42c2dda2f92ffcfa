"""What the privacy workflows keep: anonymous counts of erased members' consents, and a
member's own data download until they take it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.lib.fields import EncryptedTextField


class ErasedConsentCount(models.Model):
    """How many erased members had given one consent (purpose and text version), and whether it
    was still current or already withdrawn when they erased their account. The consent records
    themselves go with the member; these counts keep the proof that consent was asked and given
    without saying by whom."""

    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    text_version = models.CharField(max_length=32)
    withdrawn = models.BooleanField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "text_version", "withdrawn"],
                name="privacy_erasedconsentcount_one_row_each",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=ConsentPurpose.values),
                name="privacy_erasedconsentcount_purpose_known",
            ),
        ]
        ordering = ["purpose", "text_version", "withdrawn"]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn else "current"
        return f"{self.purpose} {self.text_version} ({state}): {self.count}"


class DataExport(models.Model):
    """A member's "Download my data" (``privacy.export``): asked for, built, downloaded once.

    The document is encrypted at rest and blanked once downloaded; the link's token is kept
    only as its SHA-256. One row per member: a finished one is replaced by the next request,
    and the retention job deletes it once past its time.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_at = models.DateTimeField()
    # Until then the link works (and the request counts as open); set again when it is built.
    expires_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, default="")
    document = EncryptedTextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member"], name="privacy_dataexport_one_per_member"),
            models.UniqueConstraint(
                fields=["token_digest"],
                condition=~Q(token_digest=""),
                name="privacy_dataexport_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(ready_at__isnull=True) | ~Q(token_digest=""),
                name="privacy_dataexport_ready_has_token",
            ),
        ]

    def __str__(self) -> str:
        state = "downloaded" if self.downloaded_at else "ready" if self.ready_at else "asked"
        return f"Data download ({state})"
