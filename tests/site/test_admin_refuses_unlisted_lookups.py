"""The admin filters only by the filters each admin lists: every other URL lookup is refused.

An attack on the demo network rebuilt the pledgers of a campaign from the admin's URL lookups
(``/admin/notifications/message/?template=ballot_opened`` and then
``/admin/accounts/user/?outbox_messages__in=...``), group member lists from
``?memberships=N``, and addresses from ``?email__regex=``. Here, as a staff superuser, every
model on the admin site is asked for its change list filtered by each of its fields and
reverse relations, bare and with a few lookups: none may answer with a filtered list. The
filters an admin does list keep working.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import ForeignObjectRel
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.campaigns.services import pledge_create, stage_resolve_deadline
from rankandfile.groups.services import group_join
from rankandfile.notifications.sending import messages_deliver_due
from tests.personas import MakeCampaign, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

LOOKUPS = {"": "1", "__in": "1,2", "__regex": ".", "__exact": "1", "__isnull": "False"}
LOOKUPS_MORE = {"__startswith": "a"}


def _staff_superuser(make_member: MakeMember) -> User:
    member = make_member(mfa=True)
    member.is_staff = member.is_superuser = True
    member.save(update_fields=["is_staff", "is_superuser"])
    return member


def _changelist(model: type) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


def _filter_names(model: type) -> list[str]:
    """Every concrete field and every reverse relation, by the name a lookup uses."""
    names = []
    for field in model._meta.get_fields():  # type: ignore[attr-defined]
        if isinstance(field, ForeignObjectRel):
            names.append(field.name)  # the related_query_name
        elif field.concrete or field.many_to_many:
            names.append(field.name)
            if field.is_relation and field.attname != field.name:
                names.append(field.attname)
    return names


def _listed_parameters(client: Client, url: str) -> set[str]:
    """The exact parameters of the filters the admin lists, read from its change list."""
    response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context["cl"]
    return {p for spec in changelist.filter_specs for p in spec.expected_parameters()}


@pytest.fixture
def admin_client(make_member: MakeMember, make_campaign: MakeCampaign) -> Client:
    """An admin's client, on a network with pledges, a verdict ballot and its sent messages."""
    organiser = make_member(mfa=True)
    campaign = make_campaign(people=1, organiser=organiser)
    stage = campaign.stages.get(number=1)
    for n in range(2):
        member = make_member(display_name=f"Pledger {n}", email=f"pledger{n}@example.org")
        group_join(group=campaign.group, member=member)
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    messages_deliver_due()
    client = Client()
    login_with_second_factor(client, _staff_superuser(make_member))
    return client


def test_every_admin_on_the_site_is_locked_and_none_lists_addresses_sessions_or_secrets() -> None:
    from rankandfile.lib.admin import LockedModelAdmin

    registered = {
        model._meta.label: model_admin for model, model_admin in admin.site._registry.items()
    }
    unlocked = [label for label, a in registered.items() if not isinstance(a, LockedModelAdmin)]
    assert unlocked == []
    assert [label for label, a in registered.items() if a.date_hierarchy] == []
    for label in ("account.EmailAddress", "mfa.Authenticator", "usersessions.UserSession"):
        assert label not in registered


def test_no_change_list_filters_by_an_unlisted_field_relation_or_lookup(
    admin_client: Client,
) -> None:
    accepted = []
    for model in admin.site._registry:
        url = _changelist(model)
        listed = _listed_parameters(admin_client, url)
        for name in _filter_names(model):
            for suffix, value in {**LOOKUPS, **LOOKUPS_MORE}.items():
                parameter = name + suffix
                if parameter in listed:
                    continue
                response = admin_client.get(url, {parameter: value})
                refused = response.status_code == 400 or (
                    response.status_code == 302 and "e=1" in response["Location"]
                )
                if not refused:
                    accepted.append(f"{url}?{parameter}={value} -> {response.status_code}")
    assert accepted == []


def test_the_attacks_of_the_report_are_refused(admin_client: Client) -> None:
    for url in (
        "/admin/notifications/message/?template=ballot_opened",
        "/admin/notifications/message/?template=ballot_opened&recipient=1",
        "/admin/accounts/user/?outbox_messages__in=1,2,3",
        "/admin/accounts/user/?memberships=1",
        "/admin/groups/group/?memberships=1",
        "/admin/accounts/user/?email__regex=^pledger",
        "/admin/campaigns/stage/?pledges__member=1",
        "/admin/auth/group/?user=1",
    ):
        assert admin_client.get(url).status_code == 400, url


def test_the_listed_filters_still_filter(admin_client: Client) -> None:
    for model in admin.site._registry:
        url = _changelist(model)
        for parameter in _listed_parameters(admin_client, url):
            value = "1" if parameter.endswith("__isnull") else "x"
            response = admin_client.get(url, {parameter: value})
            # A filter value that matches nothing is still a 200, or Django's "?e=1" for a
            # value the field cannot take; never a refusal of the parameter itself.
            assert response.status_code in (200, 302), (url, parameter, response.status_code)

    users = "/admin/accounts/user/"
    staff_only = admin_client.get(users, {"is_staff__exact": "1"})
    assert staff_only.status_code == 200
    assert staff_only.context["cl"].result_count == 1
    # No search of members: display names and emails are encrypted at rest (look up by id).
    assert not admin.site._registry[User].search_fields
    messages = admin_client.get("/admin/notifications/message/", {"status__exact": "sent"})
    assert messages.status_code == 200 and messages.context["cl"].result_count > 0
