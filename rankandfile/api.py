"""The JSON API under /api/v1/: authenticated by default (django-ninja, OpenAPI described)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken
from rankandfile.ballots.api import router as ballots_router
from rankandfile.ballots.nomination_api import router as nominations_router
from rankandfile.campaigns.api import router as campaigns_router
from rankandfile.campaigns.backing_api import BackingCountsOut
from rankandfile.campaigns.backing_api import router as backing_router
from rankandfile.campaigns.backing_selectors import NONE, BackingCounts, backing_counts
from rankandfile.events.api import router as events_router
from rankandfile.groups.models import Group, GroupKind
from rankandfile.groups.selectors import directory_search, member_count_public
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


def _rounded(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 1)


def _backing_out(group: Group, backed: dict[int, BackingCounts]) -> BackingCountsOut | None:
    if group.kind != GroupKind.CAMPAIGN:
        return None
    counts = backed.get(group.pk, NONE)
    return BackingCountsOut(groups=counts.groups, members=counts.members)


@api.get("/groups", response=list[GroupOut], tags=["groups"])
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
    """The group directory as the logged-in member sees it, 50 groups a page (``page``, from
    1); nearest first (with ``distance_km``) when ``place`` is a known postcode district.
    ``q`` searches the groups' names and descriptions for every word (``text`` is its old
    name); without a place, groups whose name holds the words come first."""
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
    return [
        GroupOut(
            slug=g.slug,
            name=g.name,
            kind=g.kind,
            visibility=g.visibility,
            districts=[d.district for d in g.districts.all()],
            issues=[i.slug for i in g.issues.all()],
            members=member_count_public(g.member_count),  # type: ignore[attr-defined]
            distance_km=_rounded(getattr(g, "distance_km", None)),
            backing=_backing_out(g, backed),
        )
        for g in groups
    ]
