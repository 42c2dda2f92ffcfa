"""The JSON API under /api/v1/: authenticated by default (django-ninja, OpenAPI described)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken, anonymous_reader
from rankandfile.ballots.api import router as ballots_router
from rankandfile.ballots.nomination_api import router as nominations_router
from rankandfile.campaigns.api import router as campaigns_router
from rankandfile.campaigns.backing_api import BackingCountsOut
from rankandfile.campaigns.backing_api import router as backing_router
from rankandfile.campaigns.backing_selectors import NONE, BackingCounts, backing_counts
from rankandfile.events.api import router as events_router
from rankandfile.groups.models import Group, GroupKind
from rankandfile.groups.selectors import directory_search, groups_directory, member_count_public
from rankandfile.introductions.api import router as introductions_router
from rankandfile.opinions.api import router as opinions_router
from rankandfile.proposals.api import router as proposals_router
from rankandfile.proposals.comments_api import router as proposal_comments_router
from rankandfile.proposals.slates_api import router as slates_router
from rankandfile.resources.api import router as resources_router

api = NinjaAPI(
    title="Rank and File API",
    version="1",
    urls_namespace="api-v1",
    auth=[PersonalToken(), django_auth],
    docs_url=None,
)
api.add_router("/campaigns", campaigns_router)
api.add_router("/", backing_router)
api.add_router("/ballots/nominations", nominations_router)
api.add_router("/ballots", ballots_router)
api.add_router("/conversations", opinions_router)
api.add_router("/proposals", proposals_router)
api.add_router("/proposals", proposal_comments_router)
api.add_router("/slates", slates_router)
api.add_router("/events", events_router)
api.add_router("/resources", resources_router)
api.add_router("/introductions", introductions_router)


class GroupOut(Schema):
    slug: str
    name: str
    kind: str
    visibility: str
    districts: list[str]
    issues: list[str]
    members: str
    distance_km: float | None = None
    backing: BackingCountsOut | None = None  # a campaign group's; None for other kinds
    # Affiliated to the network (approved by a network coordinator), and since when.
    affiliated: bool = False
    affiliated_since: datetime | None = None


# The directory is public: anyone may read the public and listed groups without a token; a
# member (token or session) also sees the hidden groups they belong to.
PUBLIC_READ = [PersonalToken(), django_auth, anonymous_reader]


def _rounded(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 1)


def _backing_out(group: Group, backed: dict[int, BackingCounts]) -> BackingCountsOut | None:
    if group.kind != GroupKind.CAMPAIGN:
        return None
    counts = backed.get(group.pk, NONE)
    return BackingCountsOut(groups=counts.groups, members=counts.members)


def _group_out(group: Group, backed: dict[int, BackingCounts]) -> GroupOut:
    since = group.affiliated_since
    return GroupOut(
        slug=group.slug,
        name=group.name,
        kind=group.kind,
        visibility=group.visibility,
        districts=[d.district for d in group.districts.all()],
        issues=[i.slug for i in group.issues.all()],
        members=member_count_public(group.member_count),  # type: ignore[attr-defined]
        distance_km=_rounded(getattr(group, "distance_km", None)),
        backing=_backing_out(group, backed),
        affiliated=since is not None,
        affiliated_since=since,
    )


@api.get("/groups", response=list[GroupOut], tags=["groups"], auth=PUBLIC_READ)
def list_groups(
    request: HttpRequest,
    place: str = "",
    kind: str = "",
    issue: str = "",
    q: str = "",
    text: str = "",
    radius_km: int | None = None,
    page: int = 1,
) -> list[GroupOut]:
    """The group directory as the viewer sees it (no token needed for public and listed
    groups), 20 groups a page (``page``, from 1); nearest first (with ``distance_km``) when
    ``place`` is a known postcode district. ``q`` searches the groups' names and descriptions
    for every word (``text`` is its old name); without a place, groups whose name holds the
    words come first. ``affiliated`` says whether the group is affiliated to the network."""
    groups = directory_search(
        viewer=request.user,
        place=place,
        kind=kind,
        issue=issue,
        text=q or text,
        radius_km=radius_km,
        page=page,
    ).groups
    _, backed = backing_counts()
    return [_group_out(g, backed) for g in groups]


@api.get("/groups/{slug}", response=GroupOut, tags=["groups"], auth=PUBLIC_READ)
def group_read(request: HttpRequest, slug: str) -> GroupOut:
    """One group of the directory, with its affiliation to the network; 404 for a group the
    viewer may not see (a hidden group they are not in)."""
    found = groups_directory(viewer=request.user).filter(slug=slug)
    group = found.annotate(member_count=Count("memberships", distinct=True)).first()
    if group is None:
        raise Http404("No such group")
    _, backed = backing_counts()
    return _group_out(group, backed)
