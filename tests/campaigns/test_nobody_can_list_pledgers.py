"""No page, API route, export or admin page lets anyone tell who pledged.

A pledger and a control member who did not pledge are set up alike (same group, same kind of
name). Every page is fetched as the group's organiser and as an admin (both with MFA): wherever
the pledger's name, email or id-bearing key shows, the control member's must show too, so the
page does not single out pledgers. The verdict stage is reached so that the verdict ballot's
roll (which is the list of pledgers) and the messages sent to pledgers exist too.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from rankandfile.accounts.models import User
from rankandfile.campaigns.services import pledge_create, stage_resolve_deadline
from rankandfile.groups.services import group_join
from tests.personas import MakeCampaign, MakeMember, login_with_second_factor


def _admin_changelists() -> list[str]:
    urls = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        try:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
    return urls


# Rows that exist only because somebody pledged: their admin pages must not say who.
PLEDGE_CAUSED = {"campaigns", "ballots", "notifications"}


def _admin_pages_of_pledge_caused_rows() -> list[str]:
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in PLEDGE_CAUSED:
            continue
        objects: list[Model] = list(model._default_manager.order_by("pk")[:100])
        urls += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            for obj in objects
        ]
    return urls


def _api_get_routes(client: Client, *, group_slug: str, **values: object) -> list[str]:
    """Every GET route of the API, with its path parameters filled in (a group's routes with
    the campaign's group)."""
    schema = client.get("/api/v1/openapi.json").json()
    routes = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        filled = path.replace("/groups/{slug}", f"/groups/{group_slug}")
        for name, value in values.items():
            filled = filled.replace("{" + name + "}", str(value))
        if "{" not in filled:
            routes.append(filled)
    assert f"/api/v1/campaigns/{values['slug']}" in routes
    return routes


def _fingerprints(member: User) -> list[str]:
    return [member.display_name, member.email]


@pytest.mark.django_db
def test_no_page_api_or_admin_page_singles_out_pledgers(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    organiser.is_staff = organiser.is_superuser = True
    organiser.save()
    campaign = make_campaign(people=2, organiser=organiser)
    stage = campaign.stages.get(number=1)
    pledger = make_member(display_name="Zebra Pledger", email="zebra-pledger@example.org")
    control = make_member(display_name="Zebra Control", email="zebra-control@example.org")
    other = make_member(display_name="Yak Pledger", email="yak-pledger@example.org")
    for member in (pledger, control, other):
        group_join(group=campaign.group, member=member)
    pledge_create(stage=stage, member=pledger, option_keys=["stop-dues"])
    pledge_create(stage=stage, member=other, option_keys=["claim-back"], amount_pence=4321)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None

    pages = [
        campaign.get_absolute_url(),
        reverse("campaigns:totals", kwargs={"slug": campaign.slug}),
        reverse("campaigns:counter", kwargs={"slug": campaign.slug}),
        reverse("campaigns:embed", kwargs={"slug": campaign.slug}),
        f"/api/v1/campaigns/{campaign.slug}",
        reverse("groups:manage", kwargs={"slug": campaign.group.slug}),
        reverse("groups:detail", kwargs={"slug": campaign.group.slug}),
        f"/ballots/{stage.verdict_ballot.pk}/",
        "/notifications/outbox/",
        *_admin_changelists(),
    ]
    client = Client()
    login_with_second_factor(client, organiser)
    pages += _api_get_routes(
        client,
        group_slug=campaign.group.slug,
        slug=campaign.slug,
        ballot_id=stage.verdict_ballot.pk,
    )
    pages.append(reverse("campaigns:manage", kwargs={"slug": campaign.slug}))
    # Every page opens for the organiser and admin, but for the two that have nothing to show:
    # the organiser did not pledge, and the verdict ballot is still open.
    not_found = {
        f"/api/v1/campaigns/{campaign.slug}/pledges/mine",
        f"/api/v1/ballots/{stage.verdict_ballot.pk}/results",
    }
    assert not_found <= set(pages)
    for url in pages:
        response = client.get(url)
        assert response.status_code == (404 if url in not_found else 200), (
            url,
            response.status_code,
        )
        content = response.content.decode(errors="replace")
        for seen, twin in zip(_fingerprints(pledger), _fingerprints(control), strict=True):
            if seen in content:
                assert twin in content, f"{url} shows the pledger {seen!r} but not the non-pledger"
        assert "4321" not in content and "43.21" not in content, f"{url} shows a private amount"
        assert not re.search(rf":member:{pledger.pk}\b", content), (
            f"{url} shows a pledge message key"
        )

    for url in _admin_pages_of_pledge_caused_rows():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = response.content.decode(errors="replace")
        for seen in (*_fingerprints(pledger), *_fingerprints(other)):
            assert seen not in content, f"{url} shows who pledged: {seen!r}"
        assert not re.search(rf":member:({pledger.pk}|{other.pk})\b", content), url
