"""An organiser's download of their group's member list, as CSV.

Only members who chose to be listed in the group's member list, and whose membership consent
stands (the consent text names display name, interests, skills and the groups a member joins:
what the file holds), are in it. Never email addresses, districts, pledges, votes or RSVPs.
Every cell is escaped against spreadsheet formulas.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, IssueTag, Skill, User
from rankandfile.audit.services import audit_record
from rankandfile.groups.models import Group, Membership
from rankandfile.groups.selectors import memberships_by_name
from rankandfile.lib.csvfiles import write_table

HEADER = ("display_name", "skills", "interests", "joined", "role")


def member_list_rows(group: Group) -> list[tuple[str, str, str, str, str]]:
    """One row per listed, consenting member, by display name: three queries whatever the
    size."""
    consenting = Consent.objects.filter(
        member=OuterRef("member_id"), purpose=ConsentPurpose.MEMBERSHIP, withdrawn_at__isnull=True
    )
    memberships = (
        Membership.objects.filter(group=group, listed=True)
        .filter(Exists(consenting))
        .select_related("member")
        .prefetch_related(
            Prefetch("member__skills", queryset=Skill.objects.order_by("name")),
            Prefetch("member__interests", queryset=IssueTag.objects.order_by("name")),
        )
        .order_by("member_id")
    )
    rows = []
    for membership in memberships_by_name(memberships):
        member: User = membership.member
        rows.append(
            (
                member.display_name,
                "; ".join(skill.name for skill in member.skills.all()),
                "; ".join(tag.name for tag in member.interests.all()),
                membership.joined_at.date().isoformat(),
                membership.get_role_display(),
            )
        )
    return rows


def member_list_export(*, group: Group, organiser: User) -> str:
    """The CSV text of the member list; the download is audited (counts only)."""
    rows = member_list_rows(group)
    audit_record(
        actor=organiser,
        action="group.member_list_export",
        target_type="group",
        target_id=group.pk,
        details={"members": len(rows)},
    )
    return write_table(HEADER, rows)
