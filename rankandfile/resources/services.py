"""Every write of the resource hub: contributing, moderating, helpful marks and collections.

A contribution is checked whole before anything is stored: its text, its address, and a file's
name, size and type (files.py). Only then is the file written to storage, under a random name,
and the row created; if the row cannot be written the file is deleted again, so a refused
contribution leaves nothing behind.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from rankandfile.accounts.models import IssueTag, User
from rankandfile.audit.services import audit_record
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.lib.markdown import MarkdownTooLongError, markdown_source_clean
from rankandfile.resources import selectors
from rankandfile.resources.files import FileRefusedError, file_check, storage_name_new
from rankandfile.resources.models import (
    COLLECTION_KINDS,
    Audience,
    CollectionItem,
    HelpfulMark,
    ModerationState,
    Resource,
    ResourceKind,
)

ARTICLE_LONGEST = 50_000
INTRO_LONGEST = 5_000
TITLE_LONGEST = 200
SUMMARY_LONGEST = 500
_url_validator = URLValidator(schemes=["http", "https"])


class ResourceError(ValueError):
    """A refused write; the message says why, for the member. ``field`` names the form field
    it concerns, when one does."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ResourceDraft:
    """What a member fills in to contribute a resource; which fields matter depends on kind."""

    kind: str
    title: str
    summary: str = ""
    body: str = ""
    url: str = ""
    group: Group | None = None
    audience: str = Audience.PUBLIC
    issues: Iterable[IssueTag] = field(default_factory=list)


def _plain(text: str, *, longest: int, what: str, field_name: str, required: bool) -> str:
    kept = " ".join(
        "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf", "Cs"}).split()
    )
    if required and not kept:
        raise ResourceError(f"{what} is needed.", field=field_name)
    if len(kept) > longest:
        raise ResourceError(
            f"{what} can be at most {longest} characters; this one has {len(kept)}.",
            field=field_name,
        )
    return kept


def _markdown(text: str, *, longest: int, what: str, required: bool) -> str:
    try:
        cleaned = markdown_source_clean(text, longest=longest, what=what)
    except MarkdownTooLongError as error:
        raise ResourceError(str(error), field="body") from error
    if required and not cleaned:
        raise ResourceError(f"{what} is needed.", field="body")
    return cleaned


def _address(url: str) -> str:
    url = url.strip()
    if not url:
        raise ResourceError("The address is needed.", field="url")
    try:
        _url_validator(url)
    except ValidationError as error:
        raise ResourceError(
            "Give the full address, starting with https:// (or http://).", field="url"
        ) from error
    return url


def _search_document(resource: Resource, issues: list[IssueTag]) -> str:
    parts = [resource.title, resource.summary, resource.body, resource.url, resource.file_name]
    parts += [issue.name for issue in issues]
    return "\n".join(part for part in parts if part)


def _where(draft: ResourceDraft, author: User) -> None:
    if draft.audience not in Audience.values:
        raise ResourceError("Choose who may read it.", field="audience")
    group = draft.group
    if group is None:
        return
    if not Membership.objects.filter(group=group, member=author).exists():
        raise ResourceError("You can add resources only to your own groups.", field="group")
    if group.visibility == Visibility.HIDDEN and draft.audience == Audience.PUBLIC:
        raise ResourceError(
            f"{group.name} is a hidden group: its resources are for its members only.",
            field="audience",
        )


def resource_create(
    *, author: User, draft: ResourceDraft, upload: File[Any] | None = None
) -> Resource:
    """A member's contribution, waiting for a moderator. Refused whole (ResourceError, nothing
    stored) when any part of it is wrong."""
    if not author.is_active:
        raise ResourceError("Your account is not active.")
    if draft.kind not in ResourceKind.values:
        raise ResourceError("Choose what kind of resource it is.", field="kind")
    _where(draft, author)
    issues = list(draft.issues)
    resource = Resource(
        kind=draft.kind,
        title=_plain(
            draft.title, longest=TITLE_LONGEST, what="The title", field_name="title", required=True
        ),
        summary=_plain(
            draft.summary,
            longest=SUMMARY_LONGEST,
            what="The summary",
            field_name="summary",
            required=False,
        ),
        group=draft.group,
        audience=draft.audience,
        author=author,
    )
    if draft.kind == ResourceKind.ARTICLE:
        resource.body = _markdown(
            draft.body, longest=ARTICLE_LONGEST, what="The article", required=True
        )
    elif draft.kind in COLLECTION_KINDS:
        resource.body = _markdown(
            draft.body, longest=INTRO_LONGEST, what="The introduction", required=False
        )
    elif draft.kind in (ResourceKind.LINK, ResourceKind.VIDEO):
        resource.url = _address(draft.url)
    if draft.kind == ResourceKind.FILE:
        if upload is None:
            raise ResourceError("Choose a file to share.", field="upload")
        try:
            checked = file_check(upload)
        except FileRefusedError as error:
            raise ResourceError(str(error), field="upload") from error
        resource.file_name = checked.download_name
        resource.file_type = checked.mime_type
        resource.file_size = checked.size
        resource.search_document = _search_document(resource, issues)
        stored = default_storage.save(storage_name_new(checked.extension), upload)
        resource.file.name = stored
        try:
            with transaction.atomic():
                resource.save()
                resource.issues.set(issues)
        except Exception:
            default_storage.delete(stored)
            raise
        return resource
    resource.search_document = _search_document(resource, issues)
    with transaction.atomic():
        resource.save()
        resource.issues.set(issues)
    return resource


def resource_moderate(*, resource: Resource, moderator: User, approve: bool) -> Resource:
    """Approve or reject a waiting resource; audited (the resource's id and kind only)."""
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if not selectors.member_may_moderate(member=moderator, resource=locked):
            raise ResourceError(
                "Only its group's organisers (or network coordinators, for a "
                "network-wide resource) decide on this resource."
            )
        if locked.state != ModerationState.PENDING:
            raise ResourceError("Someone has already decided on this resource.")
        locked.state = ModerationState.APPROVED if approve else ModerationState.REJECTED
        locked.moderated_at = timezone.now()
        locked.moderated_by = moderator
        locked.save(update_fields=["state", "moderated_at", "moderated_by"])
        audit_record(
            actor=moderator,
            action="resource.approve" if approve else "resource.reject",
            target_type="resource",
            target_id=locked.pk,
            details={"kind": locked.kind, "group": locked.group_id},
        )
    return locked


def resource_mark_helpful(*, resource: Resource, member: User, helpful: bool) -> int:
    """Mark (or unmark) a resource as helpful; the count changes in the same transaction as
    the mark, and a second mark by the same member changes nothing. Returns the count."""
    if not resource.is_approved:
        raise ResourceError("Only approved resources can be marked helpful.")
    with transaction.atomic():
        if helpful:
            try:
                with transaction.atomic():
                    HelpfulMark.objects.create(resource=resource, member=member)
            except IntegrityError:
                pass  # already marked: one mark per member (the unique constraint)
            else:
                Resource.objects.filter(pk=resource.pk).update(helpful_count=F("helpful_count") + 1)
        else:
            removed, _ = HelpfulMark.objects.filter(resource=resource, member=member).delete()
            if removed:
                Resource.objects.filter(pk=resource.pk).update(
                    helpful_count=F("helpful_count") - removed
                )
        return Resource.objects.values_list("helpful_count", flat=True).get(pk=resource.pk)


def _own_collection(collection: Resource, member: User) -> None:
    if not collection.is_collection or collection.author_id != member.pk:
        raise ResourceError("You can change only your own reading lists and toolkits.")


def collection_item_add(*, collection: Resource, resource: Resource, member: User) -> None:
    """Add a resource to the end of the member's own reading list or toolkit."""
    _own_collection(collection, member)
    if collection.pk == resource.pk:
        raise ResourceError("A collection cannot hold itself.")
    try:
        with transaction.atomic():
            last = collection.items.aggregate(last=Max("position"))["last"] or 0
            CollectionItem.objects.create(
                collection=collection, resource=resource, position=last + 1
            )
    except IntegrityError as error:
        if CollectionItem.objects.filter(collection=collection, resource=resource).exists():
            raise ResourceError(f"It is already in “{collection.title}”.") from error
        raise ResourceError("The collection changed at the same moment: try again.") from error


def collection_item_move(*, collection: Resource, item_id: int, member: User, up: bool) -> None:
    """Swap an item with its neighbour above (``up``) or below; the ends stay put."""
    _own_collection(collection, member)
    with transaction.atomic():
        items = list(
            CollectionItem.objects.select_for_update()
            .filter(collection=collection)
            .order_by("position")
        )
        index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
        if index is None:
            raise ResourceError("That item is no longer in the collection.")
        other = index - 1 if up else index + 1
        if not 0 <= other < len(items):
            return
        a, b = items[index], items[other]
        spare = items[-1].position + 1  # free, so the unique position holds at every step
        a_position, b_position = a.position, b.position
        CollectionItem.objects.filter(pk=a.pk).update(position=spare)
        CollectionItem.objects.filter(pk=b.pk).update(position=a_position)
        CollectionItem.objects.filter(pk=a.pk).update(position=b_position)


def collection_item_remove(*, collection: Resource, item_id: int, member: User) -> None:
    _own_collection(collection, member)
    CollectionItem.objects.filter(collection=collection, pk=item_id).delete()
