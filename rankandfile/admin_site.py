"""The admin site, closed to staff who have not set up multi-factor authentication."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rankandfile.accounts.selectors import member_has_mfa


class RankAndFileAdminSite(admin.AdminSite):
    site_header = "Rank and File administration"
    site_title = "Rank and File"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and member_has_mfa(request.user)
