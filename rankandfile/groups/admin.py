from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rankandfile.groups.models import Group, GroupDistrict
from rankandfile.lib.admin import LockedModelAdmin


class GroupDistrictInline(admin.TabularInline[GroupDistrict, Group]):
    model = GroupDistrict
    fields = ["district"]
    extra = 0


@admin.register(Group)
class GroupAdmin(LockedModelAdmin[Group]):
    # Memberships are deliberately not editable or listed here: who belongs to which political
    # group is special category data, managed only by the group's own organisers.
    list_display = ["name", "kind", "visibility", "created_at"]
    list_filter = ["kind", "visibility"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GroupDistrictInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """A district added or changed here gets its area and place as the services give them."""
        if formset.model is not GroupDistrict:
            super().save_formset(request, form, formset, change)
            return
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            filled = GroupDistrict.covering(group=row.group, district=row.district)
            row.area, row.sphere_x = filled.area, filled.sphere_x
            row.sphere_y, row.sphere_z = filled.sphere_y, filled.sphere_z
            row.save()
        formset.save_m2m()
