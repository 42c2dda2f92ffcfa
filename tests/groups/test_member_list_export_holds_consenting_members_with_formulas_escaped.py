"""An organiser downloads the group's member list: members who chose to be listed and
consent, display name, skills, interests, date joined and role; no address, pledge, vote or
RSVP; every cell safe to open in a spreadsheet; the download audited with a count, not a
name."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import IssueTag, Skill
from rankandfile.accounts.services import consent_withdraw
from rankandfile.audit.models import AuditEntry
from rankandfile.groups.models import Membership
from tests.personas import MakeGroup, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_member_list_holds_listed_consenting_members_with_formulas_escaped(
    make_member: MakeMember, make_group: MakeGroup, django_assert_max_num_queries: object
) -> None:
    organiser = make_member(mfa=True, display_name="Olwen")
    group = make_group(organiser=organiser)
    sly = make_member(display_name='=HYPERLINK("http://evil.example")', email="sly@example.org")
    canvassing = Skill.objects.get_or_create(slug="canvassing", defaults={"name": "Canvassing"})[0]
    sly.skills.add(canvassing)
    sly.interests.add(
        IssueTag.objects.get_or_create(slug="housing", defaults={"name": "Housing"})[0],
        IssueTag.objects.get_or_create(slug="low-pay", defaults={"name": "Low pay"})[0],
    )
    Membership.objects.create(group=group, member=sly, listed=True)
    Membership.objects.filter(group=group, member=organiser).update(listed=True)
    gone = make_member(display_name="Withdrawn Wyn")
    Membership.objects.create(group=group, member=gone, listed=True)
    consent_withdraw(member=gone, purpose=ConsentPurpose.MEMBERSHIP)
    for n in range(10):
        unlisted = f"Unlisted {n}" if n % 2 else None
        member = make_member(display_name=unlisted)
        Membership.objects.create(group=group, member=member, listed=unlisted is None)
    client = Client()
    login_with_second_factor(client, organiser)

    with django_assert_max_num_queries(20):  # type: ignore[operator]
        response = client.get(f"/groups/{group.slug}/manage/members.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{group.slug}-members.csv"'
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["display_name", "skills", "interests", "joined", "role"]
    by_name = {row[0]: row for row in rows[1:]}
    # The organiser, sly and the five others who chose to be listed; not the withdrawn member.
    assert len(by_name) == 7
    assert "Withdrawn Wyn" not in body and "Unlisted" not in body
    joined = Membership.objects.get(member=sly).joined_at.date().isoformat()
    assert by_name['\'=HYPERLINK("http://evil.example")'] == [
        '\'=HYPERLINK("http://evil.example")',
        canvassing.name,
        "; ".join(sorted(tag.name for tag in sly.interests.all())),
        joined,
        "Member",
    ]
    assert by_name["Olwen"][4] == "Organiser"
    assert "@example.org" not in body and "LS6" not in body
    entry = AuditEntry.objects.get(action="group.member_list_export")
    assert entry.actor_id == organiser.pk and entry.details == {"members": 7}


def test_only_the_groups_organisers_may_download_it(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group()
    member = make_member(mfa=True)
    Membership.objects.create(group=group, member=member)
    client = Client()
    login_with_second_factor(client, member)
    assert client.get(f"/groups/{group.slug}/manage/members.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="group.member_list_export").exists()
