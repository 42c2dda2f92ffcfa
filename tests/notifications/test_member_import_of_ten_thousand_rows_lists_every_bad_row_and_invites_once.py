"""Acceptance (issue 21): a CSV of 10,000 rows of which 500 are malformed. The report lists the
500 with their line numbers and reasons, nothing is imported until the organiser confirms, and
confirming twice (a double submit, then the same file uploaded again) sends each invitation
once. Bulk writes and a bounded number of queries keep it to seconds."""

from __future__ import annotations

import pytest
from django.test import Client

from rankandfile.groups.models import Invitation, Membership
from rankandfile.notifications.imports import Reason, member_import_report, member_import_upload
from rankandfile.notifications.models import MemberImport, Message
from rankandfile.notifications.services import invitation_create
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db

ROWS = 10_000


def _file(members: list[str], invited: list[str]) -> tuple[bytes, list[tuple[int, str]], set[str]]:
    """An Action Network style export; returns the file, each bad (line, reason) and the good
    addresses. The header is line 1, so row ``n`` (from 0) is on line ``n + 2``."""
    lines = ["email,first_name,last_name,zip_code"]
    bad: list[tuple[int, str]] = []
    good: set[str] = set()
    taken = members + invited
    for n in range(ROWS):
        line = n + 2
        if n % 20 == 0:  # 500 malformed rows, in five kinds
            kind = (n // 20) % 5
            if kind == 0:
                lines.append(f",Nobody,{n},LS6")
                bad.append((line, Reason.NO_EMAIL))
            elif kind == 1:
                lines.append(f"person{n}.example.org,Typo,{n},LS6")
                bad.append((line, Reason.INVALID_EMAIL))
            elif kind == 2:
                lines.append(f"PERSON{n - 1}@example.org,Again,{n},LS6")
                bad.append((line, Reason.DUPLICATE.format(line=line - 1)))
            elif kind == 3 and taken:
                address = taken.pop(0)
                lines.append(f"{address},Known,{n},LS6")
                bad.append((line, Reason.MEMBER if address in members else Reason.INVITED))
            else:
                lines.append(f"person{n}@,Broken,{n},LS6")
                bad.append((line, Reason.INVALID_EMAIL))
        else:
            lines.append(f"person{n}@example.org,Person,{n},LS6")
            good.add(f"person{n}@example.org")
    return ("\n".join(lines) + "\n").encode(), bad, good


def test_ten_thousand_rows_with_500_bad_are_reported_and_invited_once(
    make_member: MakeMember,
    make_group: MakeGroup,
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    members = []
    for n in range(3):
        member = make_member(email=f"member.of.group{n}@example.org")
        Membership.objects.create(group=group, member=member)
        members.append(member.email)
    invited = [f"already{n}@example.org" for n in range(2)]
    for address in invited:
        invitation_create(group=group, organiser=organiser, email=address)
    data, bad, good = _file(members, invited)
    assert len(bad) == 500 and len(good) == 9_500
    client = Client()
    login_with_second_factor(client, organiser)

    response = client.post(
        f"/groups/{group.slug}/manage/import/", {"file": _upload(data)}, follow=True
    )

    assert response.status_code == 200
    member_import = MemberImport.objects.get()
    report = member_import_report(member_import)
    assert [(p.line, p.reason) for p in report.problems] == bad
    assert {row.email for row in report.valid} == good
    page = response.content.decode()
    assert "9500 rows can be invited; 500 cannot." in page
    for line, reason in bad:
        assert f'<td data-label="Line">{line}</td><td data-label="Reason">{reason}</td>' in page
    # Nothing is imported until confirmed.
    assert Invitation.objects.count() == 2 and Message.objects.count() == 2

    first = client.post(f"/groups/{group.slug}/manage/import/{member_import.pk}/", {"confirm": "1"})
    second = client.post(
        f"/groups/{group.slug}/manage/import/{member_import.pk}/", {"confirm": "1"}, follow=True
    )

    assert first.status_code == 302
    assert "already been confirmed" in second.content.decode()
    assert Invitation.objects.filter(group=group).count() == 2 + 9_500
    assert Message.objects.filter(template="group_invitation").count() == 2 + 9_500
    # The context is encrypted at rest: read in Python.
    addresses = [m.context["to"] for m in Message.objects.only("context")]
    sent_to = [address for address in addresses if address not in invited]
    assert sorted(sent_to) == sorted(good)
    assert not MemberImport.objects.exists()

    # The same file again: every address is now invited, so nobody gets a second email.
    again = member_import_upload(group=group, organiser=organiser, data=data)
    assert member_import_report(again).valid == []
    client.post(f"/groups/{group.slug}/manage/import/{again.pk}/", {"confirm": "1"})
    assert Message.objects.filter(template="group_invitation").count() == 2 + 9_500


def _upload(data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("members.csv", data, content_type="text/csv")
