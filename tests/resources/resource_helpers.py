"""Resources for the hub's tests, made through the real services."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group
from rankandfile.resources.models import Resource
from rankandfile.resources.services import ResourceDraft, resource_create, resource_moderate


def article(
    author: User,
    *,
    title: str = "How to run a branch meeting",
    group: Group | None = None,
    audience: str = "public",
    body: str = "Start on time. Give everyone a voice.",
    approved_by: User | None = None,
) -> Resource:
    draft = ResourceDraft(kind="article", title=title, body=body, group=group, audience=audience)
    resource = resource_create(author=author, draft=draft)
    if approved_by is not None:
        resource = resource_moderate(resource=resource, moderator=approved_by, approve=True)
    return resource


def stored_files() -> list[Path]:
    """Every file in the (temporary) storage folder."""
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
