"""Writing the audit log. Entries are written in their own transaction when called outside one,
so that a refused action (whose own transaction rolls back) still leaves its record.

``audit`` sits right above ``lib`` in the layers so that every app may write to it; it knows the
member only as Django's user model, never by importing ``accounts``."""

from __future__ import annotations

import re

from django.contrib.auth.base_user import AbstractBaseUser

from rankandfile.audit.models import AuditEntry

# Details are identifiers and reasons only. Keys that would carry personal data or secret choices
# are refused outright, and so is anything that looks like an email address.
FORBIDDEN_KEYS = frozenset(
    {"email", "emails", "answers", "contents", "choice", "choices", "pledge", "ranking", "vote"}
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

DetailValue = str | int | bool | None


class AuditDetailsError(ValueError):
    """Details that the audit log must never hold."""


def _check_details(details: dict[str, DetailValue]) -> None:
    for key, value in details.items():
        if key.lower() in FORBIDDEN_KEYS:
            raise AuditDetailsError(f"the audit log never stores {key!r}")
        if isinstance(value, str) and _EMAIL.search(value):
            raise AuditDetailsError(f"the audit log never stores email addresses ({key!r})")


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target_type: str,
    target_id: int | str,
    details: dict[str, DetailValue] | None = None,
) -> AuditEntry:
    details = dict(details or {})
    _check_details(details)
    return AuditEntry.objects.create(
        actor_id=None if actor is None else actor.pk,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
