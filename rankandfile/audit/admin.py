from django.contrib import admin
from django.http import HttpRequest

from rankandfile.audit.models import AuditEntry
from rankandfile.lib.admin import LockedModelAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(LockedModelAdmin[AuditEntry]):
    """Read-only: the audit log is written by services, never edited by hand."""

    list_display = ["created_at", "action", "target_type", "target_id", "actor"]
    list_filter = ["action", "target_type"]
    readonly_fields = ["created_at", "action", "target_type", "target_id", "actor", "details"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
