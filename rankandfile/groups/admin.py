from django.contrib import admin

from rankandfile.groups.models import Group, GroupDistrict
from rankandfile.lib.admin import LockedModelAdmin


class GroupDistrictInline(admin.TabularInline[GroupDistrict, Group]):
    model = GroupDistrict
    fields = ["district", "area"]
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
