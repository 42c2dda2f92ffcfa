"""What the privacy workflows keep: only anonymous counts, never a member."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from rankandfile.accounts.consents import ConsentPurpose


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
