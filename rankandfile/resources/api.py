"""Resources in the JSON API: the hub with its search, and one resource. Public resources are
read without a token; a member (token or session) sees what they would see on the pages."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.security import django_auth

from rankandfile.accounts.api_auth import PersonalToken
from rankandfile.accounts.models import User
from rankandfile.resources import selectors
from rankandfile.resources.files import file_link_token
from rankandfile.resources.models import Resource, ResourceKind

PER_PAGE = 50


class Anyone:
    """The last authenticator: a request without a token or session reads as anyone (a request
    with a token that does not work is still answered 401, by ``PersonalToken`` failing and
    this one refusing it)."""

    def __call__(self, request: HttpRequest) -> bool:
        return "Authorization" not in request.headers


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    user = request.user
    return user if isinstance(user, User) else AnonymousUser()


router = Router(tags=["resources"], auth=[PersonalToken(), django_auth, Anyone()])


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    group: str | None
    audience: str
    state: str
    issues: list[str]
    helpful: int
    created_at: datetime
    url: str
    page: str


class ItemOut(Schema):
    id: int
    title: str
    kind: str


class ResourceDetailOut(ResourceOut):
    text_markdown: str
    file_name: str
    file_type: str
    file_size: int | None
    file_download: str | None
    items: list[ItemOut]


def _out(resource: Resource) -> dict[str, object]:
    return {
        "id": resource.pk,
        "kind": resource.kind,
        "title": resource.title,
        "summary": resource.summary,
        "group": resource.group.slug if resource.group else None,
        "audience": resource.audience,
        "state": resource.state,
        "issues": [issue.slug for issue in resource.issues.all()],
        "helpful": resource.helpful_count,
        "created_at": resource.created_at,
        "url": resource.url,
        "page": resource.get_absolute_url(),
    }


@router.get("", response=list[ResourceOut])
def resource_list(
    request: HttpRequest, q: str = "", kind: str = "", issue: str = "", page: int = 1
) -> list[ResourceOut]:
    """The hub as the asker sees it (public resources for anyone), the most helpful first,
    50 a page; ``q`` searches the full text."""
    start = (max(1, min(page, 10_000)) - 1) * PER_PAGE
    resources = selectors.resources_search(
        viewer=_viewer(request), text=q[:200], kind=kind[:20], issue=issue[:60]
    )[start : start + PER_PAGE]
    return [ResourceOut(**_out(r)) for r in resources]  # type: ignore[arg-type]


@router.get("/{resource_id}", response=ResourceDetailOut)
def resource_read(request: HttpRequest, resource_id: int) -> ResourceDetailOut:
    """One resource (404 unless the asker may see it); a file's download link is signed for
    the asker and expires."""
    viewer = _viewer(request)
    resource = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=viewer)
    download = None
    if resource.kind == ResourceKind.FILE:
        token = file_link_token(resource_id=resource.pk, viewer_id=viewer.pk)
        download = reverse("resources:file", kwargs={"token": token})
    items = (
        selectors.collection_items_for_viewer(collection=resource, viewer=viewer)
        if resource.is_collection
        else []
    )
    return ResourceDetailOut(
        **_out(resource),  # type: ignore[arg-type]
        text_markdown=resource.body,
        file_name=resource.file_name,
        file_type=resource.file_type,
        file_size=resource.file_size,
        file_download=download,
        items=[
            ItemOut(id=i.resource.pk, title=i.resource.title, kind=i.resource.kind) for i in items
        ],
    )
