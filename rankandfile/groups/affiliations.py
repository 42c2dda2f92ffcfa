"""Affiliation: groups joining the network, and its coordinators deciding.

The flow:

1. :func:`affiliation_application_record`: an organiser of the group applies, with an optional
   short statement. At most one open application (or current affiliation) a group: a unique
   constraint, not a prior check. Telling the network coordinators by email is
   ``notifications.services.affiliation_apply``, the workflow that calls this.
2. :func:`affiliation_decision_record`: a network coordinator approves or declines it; a decline
   needs a reason, which the group's organisers see (a check constraint holds it too). A
   coordinator who organises the group does not decide its application: another one does.
   Telling the organisers by email is ``notifications.services.affiliation_decide``, the
   workflow that calls this.
3. :func:`affiliation_leave`: an organiser takes an affiliated group out of the network. It may
   apply again later.

Each step is written to the audit log with identifiers only: never the statement or the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.groups.models import Affiliation, AffiliationStatus, Group, Membership, Role

STATEMENT_LONGEST = 1000
REASON_LONGEST = 1000


DECLINE_NEEDS_A_REASON = "Give a reason for declining: the group's organisers will read it."
OWN_GROUP = (
    "You organise {group}, so another network coordinator must decide its application to "
    "join the network."
)


class AffiliationError(Exception):
    """An affiliation step the rules do not allow; the message is meant for the person."""


# Reads ---------------------------------------------------------------------------------------


def affiliation_latest(group: Group) -> Affiliation | None:
    """The group's latest application (open, affiliated, declined or left), or None."""
    return group.affiliations.select_related("decided_by").order_by("-applied_at", "-pk").first()


def affiliation_queue() -> QuerySet[Affiliation]:
    """Applications waiting for a coordinator, the oldest first, each with its group's
    districts and member count at hand."""
    return (
        Affiliation.objects.filter(status=AffiliationStatus.PENDING)
        .select_related("group")
        .prefetch_related("group__districts")
        .annotate(member_count=Count("group__memberships", distinct=True))
        .order_by("applied_at", "pk")
    )


def affiliations_decided_recently(limit: int = 20) -> QuerySet[Affiliation]:
    """The latest decisions, for the coordinators' record below the queue."""
    return (
        Affiliation.objects.exclude(status=AffiliationStatus.PENDING)
        .select_related("group", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def _organises(group_id: int, member: User) -> bool:
    return Membership.objects.filter(group_id=group_id, member=member, role=Role.ORGANISER).exists()


def affiliation_may_decide(*, affiliation: Affiliation, coordinator: User) -> bool:
    """Whether this coordinator may decide the application: not one of their own groups'."""
    return coordinator.is_network_coordinator and not _organises(affiliation.group_id, coordinator)


# Writes --------------------------------------------------------------------------------------


def _require_organiser(group: Group, member: User) -> None:
    if not _organises(group.pk, member):
        raise AffiliationError("Only an organiser of the group can do this.")


def affiliation_application_record(
    *, group: Group, organiser: User, statement: str = ""
) -> Affiliation:
    """Apply to join the network, as an organiser of the group."""
    _require_organiser(group, organiser)
    statement = statement.strip()
    if len(statement) > STATEMENT_LONGEST:
        raise AffiliationError(
            f"Keep the statement to {STATEMENT_LONGEST} characters; it has {len(statement)}."
        )
    try:
        with transaction.atomic():
            affiliation = Affiliation.objects.create(
                group=group, applied_by=organiser, statement=statement
            )
            audit_record(
                actor=organiser,
                action="affiliation_applied",
                target_type="group",
                target_id=group.pk,
                details={"affiliation_id": affiliation.pk, "with_statement": bool(statement)},
            )
    except IntegrityError:
        current = group.affiliations.filter(status=AffiliationStatus.APPROVED).exists()
        raise AffiliationError(
            "This group is already affiliated to the network."
            if current
            else "This group's application is already waiting for a network coordinator."
        ) from None
    return affiliation


@dataclass(frozen=True)
class AffiliationDecision:
    affiliation: Affiliation
    approved: bool


@transaction.atomic
def affiliation_decision_record(
    *, affiliation: Affiliation, coordinator: User, approve: bool, reason: str = ""
) -> AffiliationDecision:
    """Approve or decline an application; a decline needs a reason. Only a network coordinator
    decides (checked here as well as by the page)."""
    if not coordinator.is_network_coordinator:
        raise AffiliationError("Only network coordinators decide on applications.")
    reason = reason.strip()
    if not approve and not reason:
        raise AffiliationError(DECLINE_NEEDS_A_REASON)
    if len(reason) > REASON_LONGEST:
        raise AffiliationError(
            f"Keep the reason to {REASON_LONGEST} characters; it has {len(reason)}."
        )
    locked = (
        Affiliation.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=affiliation.pk)
    )
    if locked.status != AffiliationStatus.PENDING:
        raise AffiliationError("This application has already been decided.")
    if _organises(locked.group_id, coordinator):
        raise AffiliationError(OWN_GROUP.format(group=locked.group.name))
    locked.status = AffiliationStatus.APPROVED if approve else AffiliationStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = coordinator
    locked.decline_reason = "" if approve else reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    if approve:
        Group.objects.filter(pk=locked.group_id).update(affiliated_since=locked.decided_at)
    audit_record(
        actor=coordinator,
        action="affiliation_approved" if approve else "affiliation_declined",
        target_type="group",
        target_id=locked.group_id,
        details={"affiliation_id": locked.pk},
    )
    return AffiliationDecision(affiliation=locked, approved=approve)


@transaction.atomic
def affiliation_leave(*, group: Group, organiser: User) -> Affiliation:
    """Take an affiliated group out of the network, as an organiser of the group."""
    _require_organiser(group, organiser)
    current = (
        Affiliation.objects.select_for_update()
        .filter(group=group, status=AffiliationStatus.APPROVED)
        .first()
    )
    if current is None:
        raise AffiliationError("This group is not affiliated to the network.")
    current.status = AffiliationStatus.LEFT
    current.left_at = timezone.now()
    current.left_by = organiser
    current.save(update_fields=["status", "left_at", "left_by"])
    Group.objects.filter(pk=group.pk).update(affiliated_since=None)
    group.affiliated_since = None
    audit_record(
        actor=organiser,
        action="affiliation_left",
        target_type="group",
        target_id=group.pk,
        details={"affiliation_id": current.pk},
    )
    return current
