"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from rankandfile.audit.models import AuditEntry


def audit_entries_for(*, target_type: str, target_id: int | str) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target_type, target_id=str(target_id))
