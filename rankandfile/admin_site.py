"""The admin site: staff who have used their second factor in this session, logged in
through allauth (its rate limits, its second-factor stage), never by a password form of its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from rankandfile.accounts.decorators import second_factor_detour, second_factor_used
from rankandfile.accounts.selectors import member_has_mfa


class RankAndFileAdminSite(admin.AdminSite):
    site_header = "Rank and File administration"
    site_title = "Rank and File"

    def has_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_permission(request)
            and member_has_mfa(request.user)
            and second_factor_used(request)
        )

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Where the admin sends anyone it lets no further: to allauth's login, or to the
        second factor, and back to the admin page they asked for."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            query = urlencode({"next": next_url})
            return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return second_factor_detour(request, next_url=next_url) or HttpResponseRedirect(next_url)
