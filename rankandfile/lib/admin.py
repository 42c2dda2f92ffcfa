"""The one base class of every admin on the site: it filters only by what it lists.

Django's admin accepts lookups in the URL beyond the filters an admin lists: any lookup on a
local field (``?email__regex=^organiser@``), and reverse relations
(``/admin/accounts/user/?outbox_messages__in=16,17``). Together they rebuild any list the
platform promises never to show: who pledged, who is on a ballot's roll, who belongs to a
hidden group. ``LockedModelAdmin`` accepts, besides search, ordering and pagination, only the
exact parameters of the filters an admin lists in ``list_filter``; anything else is refused
with a 400 before a row is read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest


class _ListedFiltersOnly(ChangeList):
    def get_filters(self, request: HttpRequest) -> Any:
        """What is left once the listed filters have taken their own parameters is refused.

        Each listed filter takes exactly the parameters it expects (``status__exact``,
        ``is_active__exact``...); a parameter nobody took (``status__regex``, a second lookup
        on a listed field) would be applied to the queryset as it is.
        """
        filters = super().get_filters(request)
        unlisted = filters[2]
        if unlisted:
            raise DisallowedModelAdminLookup(f"Filtering by {', '.join(unlisted)} not allowed")
        return filters


class LockedModelAdmin[M: Model](admin.ModelAdmin[M]):
    """A ``ModelAdmin`` whose change list filters only through its listed filters.

    The admin has no ``date_hierarchy`` (its parameters are lookups of their own) and a
    subclass lists its filters by field name or ``SimpleListFilter`` class.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Only a lookup on a listed filter's own field; the change list then checks that
        the filter took it (``_ListedFiltersOnly``)."""
        for listed in self.get_list_filter(request):
            if isinstance(listed, type) and issubclass(listed, admin.SimpleListFilter):
                if lookup == listed.parameter_name:
                    return True
                continue
            path = listed[0] if isinstance(listed, (list, tuple)) else listed
            if isinstance(path, str) and (lookup == path or lookup.startswith(path + LOOKUP_SEP)):
                return True
        return False

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _ListedFiltersOnly
