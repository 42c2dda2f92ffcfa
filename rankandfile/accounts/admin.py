from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as PermissionGroupAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from rankandfile.accounts.models import Consent, IssueTag, Skill, User
from rankandfile.lib.admin import LockedModelAdmin

# The admins the libraries register on our site. Email addresses (a list of every member's
# address, searchable), authenticators (a TOTP secret is a field) and sessions (members' IP
# addresses) have no place in an admin that must never let a list of members leave: members
# manage their own through their account pages. The others stay, but filter only by what they
# list, like every admin here (``lib.admin.LockedModelAdmin``).
for _model in (
    EmailAddress,
    EmailConfirmation,
    Authenticator,
    UserSession,
    PermissionGroup,
    DBTaskResult,
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(PermissionGroup)
class LockedPermissionGroupAdmin(LockedModelAdmin[PermissionGroup], PermissionGroupAdmin):
    pass


@admin.register(DBTaskResult)
class LockedTaskResultAdmin(LockedModelAdmin[DBTaskResult[Any, Any]], DBTaskResultAdmin):
    # Tasks take ids of stages, ballots and batches, never of a member.
    pass


@admin.register(User)
class UserAdmin(LockedModelAdmin[User]):
    # Email addresses are deliberately not listed or searchable here: an admin looks members up
    # by id from a support request, and a list of emails must not leave the platform.
    list_display = [
        "id",
        "display_name",
        "postcode_district",
        "is_active",
        "is_staff",
        "is_network_coordinator",
    ]
    list_filter = ["is_active", "is_staff", "is_network_coordinator"]
    # No search: display names are encrypted at rest (rankandfile/lib/fields.py); look a member
    # up by id.
    fields = [
        "display_name",
        "postcode_district",
        "is_active",
        "is_staff",
        "is_network_coordinator",
        "date_joined",
    ]
    readonly_fields = ["date_joined"]


@admin.register(Consent)
class ConsentAdmin(LockedModelAdmin[Consent]):
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


@admin.register(IssueTag)
class IssueTagAdmin(LockedModelAdmin[IssueTag]):
    pass


@admin.register(Skill)
class SkillAdmin(LockedModelAdmin[Skill]):
    pass
