"""Importing people from a CSV file as group invitations: upload, map columns, check, confirm.

It lives in ``notifications`` because confirming sends email (through the outbox); it calls
down to ``groups`` for invitations and memberships. Nobody gets an account from an import: each
valid row becomes an invitation, which the person accepts or ignores.

The flow: ``member_import_upload`` stores the file's cells as a pending ``MemberImport`` with a
guessed column mapping; ``member_import_report`` checks every row (no email, invalid email,
duplicate within the file, already a member, already invited) with its line number;
``member_import_map`` lets the organiser change the mapping; ``member_import_confirm`` turns
every valid row into an invitation in one transaction and deletes the pending import.

Invitations are sent once. A double submit finds the pending import gone (it is locked, then
deleted, in the confirming transaction); re-uploading the same file finds each address "already
invited"; two confirmations for one group at once are serialised by a lock on the group row,
so the second sees the first's invitations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.groups.models import Group, Invitation, Membership
from rankandfile.groups.selectors import invitation_email_digest
from rankandfile.groups.services import INVITATION_LIFETIME
from rankandfile.lib.csvfiles import CsvFileError, read_table
from rankandfile.lib.tokens import token_digest, token_new
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MemberImport, Message, MessageClass
from rankandfile.notifications.services import deliver_soon

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
IMPORT_LIFETIME = timedelta(hours=24)
BULK_BATCH = 1000

# The fields an organiser maps columns to, and the header names NationBuilder and Action
# Network export for them (compared lower-cased, with spaces and hyphens as underscores).
FIELDS: dict[str, str] = {
    "email": "Email address",
    "first_name": "First name",
    "last_name": "Last name",
    "postcode": "Postcode",
}
HEADER_GUESSES: dict[str, tuple[str, ...]] = {
    "email": ("email", "email_address", "e_mail", "email1", "primary_email"),
    "first_name": ("first_name", "firstname", "given_name", "first"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "last"),
    "postcode": ("primary_zip", "zip_code", "zip", "postcode", "post_code", "postal_code"),
}


class MemberImportError(Exception):
    """Why an upload or a confirmation was refused, in words for the organiser."""


class Reason:
    NO_EMAIL = "No email address"
    INVALID_EMAIL = "Not a valid email address"
    DUPLICATE = "Duplicate of line {line} in this file"
    MEMBER = "Already a member of the group"
    INVITED = "Already invited (the invitation has not expired)"


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    name: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    valid: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.valid) + len(self.problems)


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def mapping_guess(header: list[str]) -> dict[str, int]:
    """Column index per field, from the header names the usual exports use."""
    names = [_normalise(name) for name in header]
    mapping: dict[str, int] = {}
    for field_name, guesses in HEADER_GUESSES.items():
        for guess in guesses:
            if guess in names:
                mapping[field_name] = names.index(guess)
                break
    return mapping


@transaction.atomic
def member_import_upload(
    *, group: Group, organiser: User, data: bytes, now: datetime | None = None
) -> MemberImport:
    """Store an uploaded file as a pending import; nothing is sent until it is confirmed."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise MemberImportError(
            f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it."
        )
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except CsvFileError as error:
        raise MemberImportError(str(error)) from error
    if not table.rows:
        raise MemberImportError("The file has a header but no rows.")
    member_import = MemberImport.objects.create(
        group=group,
        organiser=organiser,
        encoding=table.encoding,
        header=table.header,
        rows=[[line, cells] for line, cells in table.rows],
        mapping=mapping_guess(table.header),
        expires_at=(now or timezone.now()) + IMPORT_LIFETIME,
    )
    audit_record(
        actor=organiser,
        action="member_import.upload",
        target_type="group",
        target_id=group.pk,
        details={"rows": len(table.rows)},
    )
    return member_import


def member_import_map(*, member_import: MemberImport, mapping: dict[str, int | None]) -> None:
    """Change which column feeds which field; a field mapped to None is left out."""
    columns = len(member_import.header)
    cleaned = {
        name: index
        for name, index in mapping.items()
        if name in FIELDS and index is not None and 0 <= index < columns
    }
    member_import.mapping = cleaned
    member_import.save(update_fields=["mapping"])


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _taken_digests(group: Group) -> tuple[set[str], set[str]]:
    """Digests of the addresses of the group's members, and of its open invitations: three
    queries whatever the size of the file or the group."""
    member_ids = Membership.objects.filter(group=group).values("member_id")
    addresses = set(User.objects.filter(pk__in=member_ids).values_list("email", flat=True))
    addresses.update(
        EmailAddress.objects.filter(user_id__in=member_ids).values_list("email", flat=True)
    )
    members = {invitation_email_digest(address) for address in addresses}
    invited = set(
        Invitation.objects.filter(
            group=group, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("email_digest", flat=True)
    )
    return members, invited


def member_import_report(member_import: MemberImport) -> ImportReport:
    """Every row checked, in file order: the valid ones, and each bad one with its reason."""
    mapping = member_import.mapping
    members, invited = _taken_digests(member_import.group)
    first_line: dict[str, int] = {}
    report = ImportReport()
    for line, cells in member_import.rows:
        email = _cell(cells, mapping.get("email"))
        name = " ".join(
            part
            for part in (
                _cell(cells, mapping.get("first_name")),
                _cell(cells, mapping.get("last_name")),
            )
            if part
        )
        reason = _problem(email, line, first_line, members, invited)
        if reason:
            report.problems.append(RowProblem(line=line, reason=reason))
        else:
            report.valid.append(ImportRow(line=line, email=email, name=name))
    return report


def _problem(
    email: str, line: int, first_line: dict[str, int], members: set[str], invited: set[str]
) -> str:
    if not email:
        return Reason.NO_EMAIL
    try:
        validate_email(email)
    except ValidationError:
        return Reason.INVALID_EMAIL
    key = email.lower()
    if key in first_line:
        return Reason.DUPLICATE.format(line=first_line[key])
    first_line[key] = line
    digest = invitation_email_digest(email)
    if digest in members:
        return Reason.MEMBER
    if digest in invited:
        return Reason.INVITED
    return ""


@transaction.atomic
def member_import_confirm(*, import_id: int, group: Group, organiser: User) -> int:
    """Invite every valid row at once, or nobody; returns how many were invited.

    The pending import is locked and then deleted here, so a second confirmation finds nothing
    to confirm. The group row is locked so that two imports for one group cannot both invite
    the same address. Emails go through the outbox once the transaction commits.
    """
    Group.objects.select_for_update().filter(pk=group.pk).first()
    member_import = (
        MemberImport.objects.select_for_update()
        .filter(pk=import_id, group=group, organiser=organiser, expires_at__gt=timezone.now())
        .first()
    )
    if member_import is None:
        raise MemberImportError(
            "This import has already been confirmed, or has expired; nothing more was sent."
        )
    if "email" not in member_import.mapping:
        raise MemberImportError("Choose the column that holds the email addresses.")
    report = member_import_report(member_import)
    now = timezone.now()
    invitations: list[Invitation] = []
    messages: list[Message] = []
    for row in report.valid:
        token = token_new()
        digest = invitation_email_digest(row.email)
        invitations.append(
            Invitation(
                group=group,
                invited_by=organiser,
                email_digest=digest,
                token_digest=token_digest(token),
                expires_at=now + INVITATION_LIFETIME,
            )
        )
        link = absolute_url(reverse("groups:invitation_accept", kwargs={"token": token}))
        messages.append(
            Message(
                # Named by the invitation's token digest, unique like the invitation itself.
                key=f"group:{group.pk}:invitation-token:{token_digest(token)[:32]}",
                message_class=MessageClass.SERVICE,
                template="group_invitation",
                context={
                    "group_name": group.name,
                    "link": link,
                    "days": INVITATION_LIFETIME.days,
                    "to": row.email,
                },
                next_attempt_at=now,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=BULK_BATCH)
    Message.objects.bulk_create(messages, batch_size=BULK_BATCH)
    member_import.delete()
    audit_record(
        actor=organiser,
        action="member_import.confirm",
        target_type="group",
        target_id=group.pk,
        details={"invited": len(report.valid), "refused": len(report.problems)},
    )
    if messages:
        transaction.on_commit(deliver_soon)
    return len(report.valid)


def member_imports_expire(*, now: datetime | None = None) -> int:
    """Delete pending imports past their expiry, with the names and addresses they hold."""
    deleted, _ = MemberImport.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
