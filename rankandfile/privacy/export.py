"""Download my data: a member asks, a background job builds their document, they download it
once through an emailed link.

1. ``data_export_request``: the member asks (after re-authentication, ``privacy.views``). One
   open request per member at a time: a unique constraint on ``DataExport.member``; a finished
   one (downloaded, or past its time) is cleared when they ask again.
2. ``data_export_build`` (run by the background task ``privacy.export_tasks``): the document
   (``privacy.export_document.member_data``: what it holds and leaves out) is stored encrypted
   at rest (``DataExport.document``), and a link carrying a one-time token is queued in the
   outbox. The database keeps only the token's SHA-256.
3. ``data_export_take``: the signed-in member, re-authenticated, opens the link and downloads
   the document once, within ``LINK_LIFETIME``; the document is blanked as it is handed over.
   The retention job (``privacy.retention``) deletes the rows once past their time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.lib.tokens import token_digest, token_new
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import message_enqueue
from rankandfile.privacy.export_document import member_data
from rankandfile.privacy.models import DataExport

# How long the link works once the document is ready (and how long a request may wait for it).
LINK_LIFETIME = timedelta(hours=24)


class ExportAlreadyOpenError(Exception):
    """The member already has a download on its way or waiting."""

    def __init__(self) -> None:
        super().__init__(
            "You have already asked for your data: we email you a link as soon as it is "
            "ready, and you can ask again once you have downloaded it or the link has expired."
        )


class ExportLinkGoneError(Exception):
    """A link already used, or past its time."""


def data_export_open(member: User, *, now: datetime | None = None) -> DataExport | None:
    """The member's request still on its way or waiting to be downloaded, if any."""
    now = now or timezone.now()
    return DataExport.objects.filter(
        member=member, downloaded_at__isnull=True, expires_at__gt=now
    ).first()


def _build_soon(export_id: int) -> None:
    from rankandfile.privacy.export_tasks import data_export_build_task

    data_export_build_task.enqueue(export_id)


@transaction.atomic
def data_export_request(*, member: User, now: datetime | None = None) -> DataExport:
    """Ask for the member's data; refused (``ExportAlreadyOpenError``) while one is open."""
    now = now or timezone.now()
    DataExport.objects.filter(member=member).filter(
        Q(downloaded_at__isnull=False) | Q(expires_at__lte=now)
    ).delete()
    try:
        with transaction.atomic():
            export = DataExport.objects.create(
                member=member, requested_at=now, expires_at=now + LINK_LIFETIME
            )
    except IntegrityError as taken:
        raise ExportAlreadyOpenError() from taken
    transaction.on_commit(lambda: _build_soon(export.pk))
    return export


@transaction.atomic
def data_export_build(*, export_id: int, now: datetime | None = None) -> bool:
    """Build the document of one request, store it and email the link; False when there is
    nothing to build (already built, downloaded, past its time, or the member is gone)."""
    now = now or timezone.now()
    export = (
        DataExport.objects.select_for_update()
        .select_related("member")
        .filter(pk=export_id, ready_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if export is None:
        return False
    token = token_new()
    export.document = json.dumps(member_data(export.member, now=now), ensure_ascii=False)
    export.token_digest = token_digest(token)
    export.ready_at = now
    export.expires_at = now + LINK_LIFETIME
    export.save()
    message_enqueue(
        # Not the row's id alone: SQLite may give a later request the id of a deleted one,
        # and the outbox would take its email for one already sent.
        key=f"data_export:{export.pk}:{export.token_digest[:16]}",
        kind=MessageClass.SERVICE,
        recipient=export.member,
        template="data_export_ready",
        context={
            "download_url": absolute_url(reverse("privacy:export_download", args=[token])),
            "hours": int(LINK_LIFETIME.total_seconds() // 3600),
        },
    )
    return True


def data_export_find(*, member: User, token: str) -> DataExport | None:
    """The member's own export behind a link; None for a link that is not theirs."""
    return DataExport.objects.filter(member=member, token_digest=token_digest(token)).first()


def data_export_usable(export: DataExport, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return export.downloaded_at is None and export.expires_at > now and bool(export.document)


@transaction.atomic
def data_export_take(*, export: DataExport, now: datetime | None = None) -> str:
    """Hand the document over once: it is blanked in the same transaction.
    ``ExportLinkGoneError`` when the link was used or is past its time."""
    now = now or timezone.now()
    locked = DataExport.objects.select_for_update().get(pk=export.pk)
    if not data_export_usable(locked, now=now):
        raise ExportLinkGoneError()
    document = locked.document
    locked.document = ""
    locked.downloaded_at = now
    locked.save(update_fields=["document", "downloaded_at"])
    audit_record(
        actor=locked.member,
        action="privacy.data_downloaded",
        target_type="member",
        target_id=str(locked.member_id),
        details={},
    )
    return document
