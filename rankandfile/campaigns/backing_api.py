"""Backing in the JSON API: a member backs a campaign or a campaign group, or stops.

Counts only: backing counts are also on each campaign (``/campaigns/{slug}``) and campaign
group (``/groups``). Names of backers are never in the API (the pages name the members who
chose it, and the groups that are not hidden).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.accounts.services import ConsentRequiredError
from rankandfile.campaigns import backing_selectors, backings, selectors
from rankandfile.campaigns.backings import BackingError, BackingTarget
from rankandfile.groups.models import GroupKind
from rankandfile.groups.selectors import group_get_for_viewer

router = Router(tags=["backing"])


class BackingCountsOut(Schema):
    groups: int
    members: int


class BackingIn(Schema):
    show_name: bool = False


class BackingOut(Schema):
    show_name: bool
    backing: BackingCountsOut


class ErrorOut(Schema):
    detail: str


def backing_counts_out(target: BackingTarget) -> BackingCountsOut:
    summary = backing_selectors.backing_summary(target)
    return BackingCountsOut(groups=summary.groups, members=summary.members)


def _campaign_group(request: HttpRequest, slug: str) -> BackingTarget:
    group = group_get_for_viewer(slug=slug, viewer=api_member(request))
    if group.kind != GroupKind.CAMPAIGN:
        raise Http404("No such campaign group")
    return group


def _back(request: HttpRequest, target: BackingTarget, payload: BackingIn) -> Status[object]:
    show_name = payload.show_name
    try:
        _, new = backings.backing_member_set(
            target=target, member=api_member(request), show_name=show_name
        )
    except ConsentRequiredError as error:
        return Status(403, ErrorOut(detail=str(error)))
    except BackingError as error:
        return Status(409, ErrorOut(detail=str(error)))
    out = BackingOut(show_name=show_name, backing=backing_counts_out(target))
    return Status(201 if new else 200, out)


def _stop(request: HttpRequest, target: BackingTarget) -> Status[object]:
    if not backings.backing_member_stop(target=target, member=api_member(request)):
        return Status(404, ErrorOut(detail="You do not back it."))
    return Status(204, None)


RESPONSES = {200: BackingOut, 201: BackingOut, 403: ErrorOut, 409: ErrorOut}
WRITE = [PersonalToken(write=True), django_auth]


@router.post("/campaigns/{slug}/backing", response=RESPONSES, auth=WRITE)
def campaign_backing_create(request: HttpRequest, slug: str, payload: BackingIn) -> Status[object]:
    """Back an open campaign, your display name shown only if ``show_name``; again, to change
    that choice (200). 403 without the membership consent; 409 if it is not open."""
    return _back(request, selectors.campaign_get_public(slug=slug), payload)


@router.delete("/campaigns/{slug}/backing", response={204: None, 404: ErrorOut}, auth=WRITE)
def campaign_backing_delete(request: HttpRequest, slug: str) -> Status[object]:
    """Stop backing the campaign; 404 if you do not back it."""
    return _stop(request, selectors.campaign_get_public(slug=slug))


@router.post("/groups/{slug}/backing", response=RESPONSES, auth=WRITE)
def group_backing_create(request: HttpRequest, slug: str, payload: BackingIn) -> Status[object]:
    """Back a campaign group (kind "campaign"), as for a campaign."""
    return _back(request, _campaign_group(request, slug), payload)


@router.delete("/groups/{slug}/backing", response={204: None, 404: ErrorOut}, auth=WRITE)
def group_backing_delete(request: HttpRequest, slug: str) -> Status[object]:
    """Stop backing the campaign group; 404 if you do not back it."""
    return _stop(request, _campaign_group(request, slug))
