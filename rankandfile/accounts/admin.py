from django.contrib import admin

from rankandfile.accounts.models import Consent, IssueTag, Skill, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    # Email addresses are deliberately not listed or searchable here: an admin looks members up
    # by id from a support request, and a list of emails must not leave the platform.
    list_display = ["id", "display_name", "postcode_district", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["display_name"]
    fields = ["display_name", "postcode_district", "is_active", "is_staff", "date_joined"]
    readonly_fields = ["date_joined"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ["id", "purpose", "text_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose"]
    readonly_fields = [
        "member",
        "purpose",
        "text_version",
        "lawful_basis",
        "given_at",
        "withdrawn_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.register(IssueTag)
admin.site.register(Skill)
