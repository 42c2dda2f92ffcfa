from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rankandfile.events.models import Event
from rankandfile.lib.admin import LockedModelAdmin

# RSVPs, session choices and calendar feeds are deliberately not registered: who has a place
# is shown only to organisers, and then only the names of those who consented to
# introductions. Events change only through the services (which tell those with a place), so
# the admin here is read-only, and shows neither the venue nor the meeting link.


@admin.register(Event)
class EventAdmin(LockedModelAdmin[Event]):
    list_display = ["title", "group", "starts_at", "state", "capacity"]
    list_filter = ["state", "visibility"]
    search_fields = ["title"]
    fields = ["title", "group", "starts_at", "ends_at", "state", "capacity", "visibility"]
    readonly_fields = [
        "title",
        "group",
        "starts_at",
        "ends_at",
        "state",
        "capacity",
        "visibility",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False
