"""An organiser imports a small CSV through the pages: the columns are guessed from the usual
export headers and can be changed, errors are said plainly, confirming is all or nothing and
sends each invitation once, and a pending import (with the names it holds) does not outlive its
confirmation or its expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.groups.models import Group, Invitation
from rankandfile.notifications import imports
from rankandfile.notifications.models import MemberImport, Message
from tests.notifications.outbox import IMMEDIATE_TASKS
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import CaptureCallbacks, MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

# A NationBuilder export saved by Excel on Windows: Windows-1252, semicolons.
NATIONBUILDER = (
    "nationbuilder_id;first_name;last_name;email;primary_zip\r\n"
    "1;Zoë;Ångström;zoe@example.org;LS6 1AA\r\n"
    "2;Bob;Smith;bob@example.org;LS7 2BB\r\n"
    "3;Noor;Haq;;LS8 3CC\r\n"
).encode("cp1252")


def _organiser_client(make_member: MakeMember, make_group: MakeGroup) -> tuple[Client, Group, User]:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    client = Client()
    login_with_second_factor(client, organiser)
    return client, group, organiser


def _upload(client: Client, group: Group, data: bytes) -> object:
    return client.post(
        f"/groups/{group.slug}/manage/import/",
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )


def test_a_nationbuilder_export_is_read_its_columns_guessed_and_its_bad_row_named(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    client, group, _ = _organiser_client(make_member, make_group)
    assert client.get(f"/groups/{group.slug}/manage/import/").status_code == 200

    response = client.post(
        f"/groups/{group.slug}/manage/import/",
        {"file": SimpleUploadedFile("people.csv", NATIONBUILDER)},
        follow=True,
    )

    page = response.content.decode()
    member_import = MemberImport.objects.get()
    assert member_import.encoding == "windows-1252"
    assert member_import.mapping == {"email": 3, "first_name": 1, "last_name": 2, "postcode": 4}
    assert '<option value="3" selected>email</option>' in page
    assert "Zoë Ångström" in page and "zoe@example.org" in page
    assert "2 rows can be invited; 1 cannot." in page
    assert '<td data-label="Line">4</td><td data-label="Reason">No email address</td>' in page
    assert "Send 2 invitations" in page
    assert not Invitation.objects.exists() and not Message.objects.exists()


def test_the_organiser_changes_the_columns_and_an_unmapped_email_is_explained(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    client, group, _ = _organiser_client(make_member, make_group)
    _upload(client, group, b"Who,Address\nAnn,ann@example.org\n")
    member_import = MemberImport.objects.get()
    url = f"/groups/{group.slug}/manage/import/{member_import.pk}/"
    assert "Choose the column that holds the email addresses" in client.get(url).content.decode()

    refused = client.post(url, {"email": "", "first_name": "0"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Choose the column that holds the email addresses." in page
    assert '<option value="0" selected>Who</option>' in page  # what was chosen is kept

    client.post(url, {"email": "1", "first_name": "0"})
    member_import.refresh_from_db()
    assert member_import.mapping == {"email": 1, "first_name": 0}
    assert "1 row can be invited; 0 cannot." in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"email\n", "The file has a header but no rows."),
        (b"\x00\x00\x00binary", "The file is not a CSV file."),
    ],
)
def test_an_unusable_file_is_refused_with_its_reason(
    data: bytes, message: str, make_member: MakeMember, make_group: MakeGroup
) -> None:
    client, group, _ = _organiser_client(make_member, make_group)
    response = _upload(client, group, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not MemberImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    too_big = b"email\n" + b"a@example.org\n" * (imports.MAX_UPLOAD_BYTES // 14 + 1)
    with pytest.raises(imports.MemberImportError, match="larger than 5 MB"):
        imports.member_import_upload(group=group, organiser=organiser, data=too_big)


def test_confirming_twice_sends_each_invitation_once(
    make_member: MakeMember,
    make_group: MakeGroup,
    smtp_sink: SmtpSink,
    settings: Settings,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    client, group, organiser = _organiser_client(make_member, make_group)
    _upload(client, group, NATIONBUILDER)
    url = f"/groups/{group.slug}/manage/import/{MemberImport.objects.get().pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"confirm": "1"}, follow=True)

    assert sorted(str(m["To"]) for m in smtp_sink.messages) == [
        "bob@example.org",
        "zoe@example.org",
    ]
    assert "already been confirmed" in again.content.decode()
    assert Invitation.objects.filter(group=group, invited_by=organiser).count() == 2
    assert not MemberImport.objects.exists()
    confirm = AuditEntry.objects.get(action="member_import.confirm")
    assert confirm.details == {"invited": 2, "refused": 1}
    stored = repr(list(Invitation.objects.values()))
    assert "zoe@example.org" not in stored and "Zoë" not in stored


def test_a_failure_mid_way_invites_nobody_and_keeps_the_import(
    make_member: MakeMember, make_group: MakeGroup, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, group, organiser = _organiser_client(make_member, make_group)
    _upload(client, group, NATIONBUILDER)
    member_import = MemberImport.objects.get()

    # The last write of the confirmation fails, after the invitations and messages are written.
    def failing_audit(**kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        imports.member_import_confirm(import_id=member_import.pk, group=group, organiser=organiser)

    assert not Invitation.objects.exists() and not Message.objects.exists()
    assert MemberImport.objects.filter(pk=member_import.pk).exists()
    monkeypatch.undo()
    assert (
        imports.member_import_confirm(import_id=member_import.pk, group=group, organiser=organiser)
        == 2
    )


def test_another_organisers_import_is_not_found(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    client, group, _ = _organiser_client(make_member, make_group)
    other = make_member(mfa=True)
    group.memberships.create(member=other, role="organiser")
    theirs = imports.member_import_upload(group=group, organiser=other, data=NATIONBUILDER)
    url = f"/groups/{group.slug}/manage/import/{theirs.pk}/"
    assert client.get(url).status_code == 404
    client.post(url, {"confirm": "1"})
    assert not Invitation.objects.exists()


def test_a_pending_import_is_deleted_when_it_expires(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    old = imports.member_import_upload(
        group=group, organiser=organiser, data=NATIONBUILDER, now=timezone.now() - timedelta(days=2)
    )
    fresh = imports.member_import_upload(group=group, organiser=organiser, data=NATIONBUILDER)

    assert imports.member_imports_expire() == 1

    assert list(MemberImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    with pytest.raises(imports.MemberImportError, match="expired"):
        imports.member_import_confirm(import_id=old.pk, group=group, organiser=organiser)


def test_the_preview_page_reads_a_bounded_number_of_queries(
    make_member: MakeMember, make_group: MakeGroup, django_assert_max_num_queries: object
) -> None:
    client, group, _ = _organiser_client(make_member, make_group)
    rows = "".join(f"person{n}@example.org,P{n}\n" for n in range(2_000))
    _upload(client, group, f"email,first_name\n{rows}".encode())
    url = f"/groups/{group.slug}/manage/import/{MemberImport.objects.get().pk}/"
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        assert client.get(url).status_code == 200
