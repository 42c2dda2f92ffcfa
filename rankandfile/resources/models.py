"""The resource hub: articles, links, videos, files, reading lists and toolkits that members
contribute, tagged by issue and kind.

The flow (services.py): a member contributes a resource; it waits for a moderator (an organiser
of its group, or a network coordinator for a network-wide one), who approves or rejects it.
Until it is approved only its author and its moderators see it. Members mark resources
"helpful" (one mark per member per resource, held by a unique constraint); the count, kept on
the resource in the same transaction as the mark, orders the hub.

A file is stored through Django's storage API under a random name (never the member's), and is
served only through a signed link that expires (views.file_download).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from rankandfile.accounts.models import IssueTag
from rankandfile.groups.models import Group


class ResourceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    LINK = "link", "Link"
    VIDEO = "video", "Video"
    FILE = "file", "File"
    READING_LIST = "reading_list", "Reading list"
    TOOLKIT = "toolkit", "Toolkit"


# Kinds that are ordered collections of other resources.
COLLECTION_KINDS = (ResourceKind.READING_LIST, ResourceKind.TOOLKIT)


class Audience(models.TextChoices):
    PUBLIC = "public", "Anyone, also people without an account"
    MEMBERS = "members", "Members only (of its group, or of the network when it has none)"


class ModerationState(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"


class Resource(models.Model):
    kind = models.CharField(max_length=16, choices=ResourceKind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    # An article's text, or a collection's introduction: Markdown source (lib.markdown).
    body = models.TextField(blank=True)
    # A link's or a video's address (http or https only; a video is shown as a link).
    url = models.URLField(max_length=500, blank=True)
    # A file: its storage name (random), the name it is downloaded under, and the type found
    # in its contents.
    file = models.FileField(max_length=200, blank=True)
    file_name = models.CharField(max_length=160, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    # None: a network-wide resource, moderated by network coordinators.
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="resources"
    )
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.PUBLIC)
    issues = models.ManyToManyField(IssueTag, blank=True, related_name="resources")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    helpful_count = models.PositiveIntegerField(default=0)
    # What full-text search reads (search.py): title, summary, text, address, file name and
    # issue names, written by the services. Its words are indexed in a table of their own,
    # resources_resource_fts, kept by the database (lib/fulltext.py, migration 0003).
    search_document = models.TextField(blank=True)

    class Meta:
        ordering = ["-helpful_count", "-created_at", "-pk"]
        indexes = [
            models.Index(
                F("state"), F("helpful_count").desc(), F("created_at").desc(),
                name="resources_hub_order",
            ),
            # The hub's order for a member, whose resources are "approved or mine": a page of
            # a search walks it and stops at 20 (the state index cannot serve an OR).
            models.Index(
                F("helpful_count").desc(), F("created_at").desc(), F("id").desc(),
                name="resources_helpful_order",
            ),
            models.Index(fields=["group", "state"], name="resources_group_state"),
            models.Index(fields=["author", "state"], name="resources_author_state"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="file") | ~Q(file=""), name="resources_file_has_file"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["link", "video"]) | ~Q(url=""),
                name="resources_link_has_url",
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(moderated_at__isnull=False),
                name="resources_moderated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", kwargs={"resource_id": self.pk})

    @property
    def is_collection(self) -> bool:
        return self.kind in COLLECTION_KINDS

    @property
    def is_approved(self) -> bool:
        return self.state == ModerationState.APPROVED


class CollectionItem(models.Model):
    """A resource in a reading list or toolkit, at a position (gaps allowed)."""

    collection = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["collection", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "position"], name="resources_item_position_unique"
            ),
            models.UniqueConstraint(
                fields=["collection", "resource"], name="resources_item_once_per_collection"
            ),
            models.CheckConstraint(
                condition=~Q(collection=F("resource")), name="resources_item_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of collection {self.collection_id}"


class HelpfulMark(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="helpful_marks")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "member"], name="resources_helpful_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Helpful mark on resource {self.resource_id}"
