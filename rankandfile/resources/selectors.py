"""Reads about resources, each deciding what the viewer may see.

Who sees a resource (deny by default, a 404 for anyone else):
- once approved: anyone when it is public (unless its group has become hidden: then its
  members only); signed-in members when it is for members and network-wide; the members of its
  group when it is for members and belongs to a group;
- before approval (and after a rejection): its author, and its moderators (an organiser of its
  group, or a network coordinator for a network-wide resource), who find it in their queue.
The hub's lists and search show a viewer the approved resources they may see and their own.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from rankandfile.accounts.models import IssueTag, User
from rankandfile.groups.models import Group, Membership, Role, Visibility
from rankandfile.resources.models import (
    COLLECTION_KINDS,
    Audience,
    CollectionItem,
    HelpfulMark,
    ModerationState,
    Resource,
)
from rankandfile.resources.search import resources_matching

Viewer = User | AnonymousUser


def _member(viewer: Viewer) -> User | None:
    return viewer if isinstance(viewer, User) and viewer.is_active else None


def _readable_q(viewer: Viewer) -> Q:
    """Approved resources the viewer may read, and the viewer's own."""
    approved = Q(state=ModerationState.APPROVED)
    not_hidden = Q(group__isnull=True) | ~Q(group__visibility=Visibility.HIDDEN)
    member = _member(viewer)
    if member is None:
        return approved & Q(audience=Audience.PUBLIC) & not_hidden
    mine = Membership.objects.filter(member=member).values("group_id")
    audience = (
        Q(group__isnull=True) | Q(group_id__in=mine) | (Q(audience=Audience.PUBLIC) & not_hidden)
    )
    return (approved & audience) | Q(author=member)


def _moderated_q(member: User) -> Q:
    organised = Membership.objects.filter(member=member, role=Role.ORGANISER).values("group_id")
    moderated = Q(group_id__in=organised)
    if member.is_network_coordinator:
        moderated |= Q(group__isnull=True)
    return moderated


def member_may_moderate(*, member: Viewer, resource: Resource) -> bool:
    """Whether the member approves or rejects this resource: an organiser of its group, or a
    network coordinator for a network-wide one."""
    found = _member(member)
    if found is None:
        return False
    if resource.group_id is None:
        return found.is_network_coordinator
    return Membership.objects.filter(
        member=found, group_id=resource.group_id, role=Role.ORGANISER
    ).exists()


def member_moderates_anything(member: Viewer) -> bool:
    found = _member(member)
    if found is None:
        return False
    return (
        found.is_network_coordinator
        or Membership.objects.filter(member=found, role=Role.ORGANISER).exists()
    )


def _with_tags(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    return resources.select_related("group").prefetch_related(
        Prefetch("issues", queryset=IssueTag.objects.order_by("name"))
    )


def resources_search(
    *, viewer: Viewer, text: str = "", kind: str = "", issue: str = ""
) -> QuerySet[Resource]:
    """The hub: resources the viewer may read matching the search, the most helpful first.
    One query for a page of them (the group joined), one for their issues."""
    resources = Resource.objects.filter(_readable_q(viewer))
    if kind:
        resources = resources.filter(kind=kind)
    if issue:
        resources = resources.filter(issues__slug=issue)
    resources = resources_matching(resources, text)
    return _with_tags(resources).order_by("-helpful_count", "-created_at", "-pk")


def resource_get_for_viewer(*, resource_id: int, viewer: Viewer) -> Resource:
    """A resource the viewer may see, or 404: readers (see the module docstring), and its
    moderators while it waits for them."""
    resource = _with_tags(Resource.objects.filter(pk=resource_id)).select_related("author").first()
    if resource is None:
        raise Http404("No such resource")
    if Resource.objects.filter(_readable_q(viewer), pk=resource_id).exists():
        return resource
    if member_may_moderate(member=viewer, resource=resource):
        return resource
    raise Http404("No such resource")


def resources_to_moderate(moderator: User) -> QuerySet[Resource]:
    """Resources waiting for this moderator, the oldest first."""
    return (
        _with_tags(Resource.objects.filter(_moderated_q(moderator), state=ModerationState.PENDING))
        .select_related("author")
        .order_by("created_at", "pk")
    )


def collection_items_for_viewer(*, collection: Resource, viewer: Viewer) -> list[CollectionItem]:
    """The collection's items the viewer may read, in order (the others are left out)."""
    readable = Resource.objects.filter(_readable_q(viewer)).values("pk")
    return list(
        CollectionItem.objects.filter(collection=collection, resource_id__in=readable)
        .select_related("resource")
        .order_by("position")
    )


def collections_of(member: Viewer) -> QuerySet[Resource]:
    """The member's own reading lists and toolkits (to add resources to)."""
    found = _member(member)
    if found is None:
        return Resource.objects.none()
    return Resource.objects.filter(author=found, kind__in=COLLECTION_KINDS).order_by("title")


def marked_helpful(*, resource: Resource, member: Viewer) -> bool:
    found = _member(member)
    return (
        found is not None and HelpfulMark.objects.filter(resource=resource, member=found).exists()
    )


def groups_to_contribute_to(member: User) -> QuerySet[Group]:
    """The groups a member may add a resource to: their own."""
    return Group.objects.filter(memberships__member=member).order_by("name")
