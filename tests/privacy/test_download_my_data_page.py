"""Download my data: asked for after re-authentication, built by a background job, stored
encrypted, emailed as a link that works once, for 24 hours, for the member alone; one request
open at a time; the file deleted once downloaded or expired."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankandfile.accounts.models import User
from rankandfile.notifications.models import Message, MessageClass
from rankandfile.privacy.export import (
    ExportAlreadyOpenError,
    data_export_build,
    data_export_request,
)
from rankandfile.privacy.export_tasks import data_export_build_task
from rankandfile.privacy.models import DataExport
from rankandfile.privacy.retention import privacy_retention_run
from tests.personas import CaptureCallbacks, MakeMember, reauthenticate_with_an_email_code

pytestmark = pytest.mark.django_db

BUILD_TASK = "rankandfile.privacy.export_tasks.data_export_build_task"


def _link_path(member: User) -> str:
    message = Message.objects.filter(recipient=member, template="data_export_ready").latest("pk")
    assert message.message_class == MessageClass.SERVICE
    return urlsplit(message.context["download_url"]).path


def _signed_in(member: User) -> Client:
    client = Client()
    client.force_login(member)
    reauthenticate_with_an_email_code(client, member)
    return client


def _stored_document(export: DataExport) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT document FROM privacy_dataexport WHERE id = %s", [export.pk])
        stored: str = cursor.fetchone()[0]
    return stored


def test_a_member_asks_after_confirming_it_is_them_and_downloads_their_data_once(
    make_member: MakeMember, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    member = make_member(email="dana.download@example.org", display_name="Dana Download")
    client = Client()
    client.force_login(member)
    page_url = reverse("privacy:data_download")
    assert page_url in client.get(reverse("home")).content.decode()  # in the account menu
    detour = client.get(page_url)
    assert detour.status_code == 302 and "reauthenticate" in detour["Location"]
    reauthenticate_with_an_email_code(client, member)
    assert b"Ask for my data" in client.get(page_url).content

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(page_url)
    assert asked.status_code == 302 and asked["Location"] == page_url
    export = DataExport.objects.get(member=member)
    queued = DBTaskResult.objects.get(task_path=BUILD_TASK)
    assert queued.args_kwargs["args"] == [export.pk]
    assert b"We are preparing your data" in client.get(page_url).content

    again = client.post(page_url)
    assert again.status_code == 409
    assert b"You have already asked for your data" in again.content
    assert DataExport.objects.filter(member=member).count() == 1

    assert data_export_build_task.call(export.pk) is True
    assert data_export_build_task.call(export.pk) is False  # built once
    assert b"Your data is ready" in client.get(page_url).content
    export.refresh_from_db()
    stored = _stored_document(export)
    assert stored.startswith("enc1:")
    assert "dana.download@example.org" not in stored and "Dana Download" not in stored
    assert member.email in export.document  # the model reads it decrypted

    link = _link_path(member)
    assert export.token_digest not in link  # the database keeps only the token's digest
    landing = client.get(link)
    assert landing.status_code == 200 and b"Download my data (JSON)" in landing.content
    download = client.post(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert download["Cache-Control"] == "no-store"
    data = json.loads(download.content)
    assert data["profile"]["email"] == "dana.download@example.org"
    assert data["profile"]["display_name"] == "Dana Download"

    export.refresh_from_db()
    assert export.document == "" and export.downloaded_at is not None
    for used in (client.get(link), client.post(link)):
        assert used.status_code == 410
        assert b"This download link no longer works" in used.content

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page_url).status_code == 302  # once downloaded, ask again
    second = DataExport.objects.get(member=member)
    assert second.downloaded_at is None
    assert data_export_build_task.call(second.pk) is True
    links = Message.objects.filter(recipient=member, template="data_export_ready")
    assert links.count() == 2  # a new link, emailed


def test_the_link_works_only_for_its_member_signed_in_and_confirmed(
    make_member: MakeMember,
) -> None:
    member, other = make_member(), make_member()
    export = data_export_request(member=member)
    assert data_export_build(export_id=export.pk)
    link = _link_path(member)

    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    unconfirmed = Client()
    unconfirmed.force_login(member)
    detour = unconfirmed.get(link)
    assert detour.status_code == 302 and "reauthenticate" in detour["Location"]

    someone_else = _signed_in(other)
    assert someone_else.get(link).status_code == 404
    assert someone_else.post(link).status_code == 404
    assert (
        _signed_in(member).get(reverse("privacy:export_download", args=["made-up"])).status_code
        == 404
    )
    export.refresh_from_db()
    assert export.downloaded_at is None and export.document


def test_a_link_past_its_24_hours_answers_gone(make_member: MakeMember) -> None:
    member = make_member()
    made = timezone.now() - timedelta(hours=25)
    export = data_export_request(member=member, now=made)
    assert data_export_build(export_id=export.pk, now=made)
    client = _signed_in(member)
    expired = client.post(_link_path(member))
    assert expired.status_code == 410 and b"has been used or has expired" in expired.content
    export.refresh_from_db()
    assert export.downloaded_at is None


def test_one_open_request_at_a_time_and_a_new_one_once_the_last_expired(
    make_member: MakeMember,
) -> None:
    member = make_member()
    first = data_export_request(member=member)
    with pytest.raises(ExportAlreadyOpenError):
        data_export_request(member=member)
    later = timezone.now() + timedelta(hours=24, seconds=1)
    second = data_export_request(member=member, now=later)
    assert list(DataExport.objects.filter(member=member)) == [second]
    assert not DataExport.objects.filter(pk=first.pk).exists()
    # A request past its time is never built.
    assert data_export_build(export_id=second.pk, now=later + timedelta(hours=25)) is False


def test_the_retention_job_deletes_downloads_once_downloaded_or_expired(
    make_member: MakeMember,
) -> None:
    downloaded, expired, waiting = make_member(), make_member(), make_member()
    now = timezone.now()
    for member, made in ((downloaded, now), (expired, now - timedelta(hours=30)), (waiting, now)):
        export = data_export_request(member=member, now=made)
        assert data_export_build(export_id=export.pk, now=made)
    DataExport.objects.filter(member=downloaded).update(
        document="", downloaded_at=now - timedelta(minutes=1)
    )
    counts = privacy_retention_run(now=now)
    assert counts["data_exports"] == 2
    assert list(DataExport.objects.values_list("member", flat=True)) == [waiting.pk]
