from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One refused or sensitive action, kept for organisers and auditors.

    Never holds an email address, a pledge choice or a ballot's contents: ``details`` carries
    only identifiers and reasons (the service checks the keys it is given).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} on {self.target_type} {self.target_id}"
