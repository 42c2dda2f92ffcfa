from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rankandfile.introductions.models import Introduction
from rankandfile.lib.admin import LockedModelAdmin

# The contact a member shares (IntroductionContact) and who a request reached
# (IntroductionMatch) are deliberately not registered: the one is shown only to the other side
# of an accepted introduction, the other to nobody. An introduction is shown without its
# message and without the people on either side: what was asked, its state and when.


@admin.register(Introduction)
class IntroductionAdmin(LockedModelAdmin[Introduction]):
    """Read-only: introductions change only through the services (audited, emailed)."""

    list_display = ["pk", "kind", "group", "skill", "district", "status", "created_at"]
    list_filter = ["kind", "status"]
    fields = (
        "kind",
        "group",
        "skill",
        "district",
        "radius_km",
        "status",
        "created_at",
        "decided_at",
        "withdrawn_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Introduction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Introduction | None = None) -> bool:
        return False
