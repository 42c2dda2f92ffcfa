"""Every write about backing campaigns: a group or a member publicly backs a campaign.

The target is a pressure campaign that is open, or a group of kind "campaign" that is not
hidden (backing is public support: a hidden group has no public page to show it on). Who backs:

- a group, decided by one of its organisers (on an MFA-protected page), recorded in the audit
  log; an organiser can withdraw the backing again. A group cannot back itself, nor its own
  pressure campaign;
- a member with the membership consent, choosing whether their display name is shown; they
  can change that choice or stop backing. Not audited: the audit log is for organisers' acts,
  and a line per member would be a register of members' political support.

The database holds the rules that matter (one backing per backer and target; one target and
one backer; a group not backing itself): two requests at once never make two backings.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import ConsentRequiredError
from rankandfile.audit.services import audit_record
from rankandfile.campaigns.errors import CampaignError
from rankandfile.campaigns.models import Backing, Campaign, CampaignState
from rankandfile.groups.models import Group, GroupKind, Visibility
from rankandfile.groups.selectors import member_is_organiser

BackingTarget = Campaign | Group


class BackingError(CampaignError):
    """A backing the rules do not allow; the message is meant for the member."""


def backing_target_fields(target: BackingTarget) -> dict[str, BackingTarget]:
    """The column that names ``target`` in a backing, with it: for filters and new rows."""
    return {"campaign": target} if isinstance(target, Campaign) else {"target_group": target}


def target_type(target: BackingTarget) -> str:
    return "campaign" if isinstance(target, Campaign) else "group"


def _require_backable(target: BackingTarget) -> None:
    if isinstance(target, Campaign):
        if target.state != CampaignState.OPEN:
            raise BackingError("Only an open campaign can be backed.")
    elif target.kind != GroupKind.CAMPAIGN or target.visibility == Visibility.HIDDEN:
        raise BackingError("Only a public or listed campaign group can be backed.")


def _backing_insert(backing: Backing) -> bool:
    """Insert the backing; False if the backer already backs the target (the constraint)."""
    try:
        with transaction.atomic():
            backing.save(force_insert=True)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def backing_member_set(
    *, target: BackingTarget, member: User, show_name: bool
) -> tuple[Backing, bool]:
    """The member backs the target, their name shown or not; a member who already backs it
    changes their choice (and the backing counts from now, renewed). Returns the backing and
    whether it is new."""
    if not member_has_consent(member, ConsentPurpose.MEMBERSHIP):
        raise ConsentRequiredError(ConsentPurpose.MEMBERSHIP)
    _require_backable(target)
    now = timezone.now()
    backing = Backing(member=member, show_name=show_name, created_at=now)
    for name, value in backing_target_fields(target).items():
        setattr(backing, name, value)
    if _backing_insert(backing):
        return backing, True
    existing = Backing.objects.select_for_update().get(
        member=member, **backing_target_fields(target)
    )
    existing.show_name = show_name
    existing.created_at = now
    existing.save(update_fields=["show_name", "created_at"])
    return existing, False


def backing_member_stop(*, target: BackingTarget, member: User) -> bool:
    """The member stops backing the target; False if they did not back it."""
    deleted, _ = Backing.objects.filter(member=member, **backing_target_fields(target)).delete()
    return bool(deleted)


def _require_organiser_of_backer(*, group: Group, organiser: User) -> None:
    if not member_is_organiser(organiser, group):
        raise BackingError("Only the group's organisers can decide what it backs.")


@transaction.atomic
def backing_group_create(*, target: BackingTarget, group: Group, organiser: User) -> Backing:
    """An organiser of ``group`` has it back the target; backing it again changes nothing."""
    _require_organiser_of_backer(group=group, organiser=organiser)
    _require_backable(target)
    if target == group:
        raise BackingError("A group cannot back itself.")
    if isinstance(target, Campaign) and target.group_id == group.pk:
        raise BackingError("A group cannot back its own campaign.")
    backing = Backing(backing_group=group, **backing_target_fields(target))
    if not _backing_insert(backing):
        return Backing.objects.get(backing_group=group, **backing_target_fields(target))
    audit_record(
        actor=organiser,
        action="backing.group_backed",
        target_type=target_type(target),
        target_id=target.pk,
        details={"backing_group_id": group.pk},
    )
    return backing


@transaction.atomic
def backing_group_withdraw(*, target: BackingTarget, group: Group, organiser: User) -> bool:
    """An organiser of ``group`` withdraws its backing; False if it did not back the target."""
    _require_organiser_of_backer(group=group, organiser=organiser)
    deleted, _ = Backing.objects.filter(
        backing_group=group, **backing_target_fields(target)
    ).delete()
    if deleted:
        audit_record(
            actor=organiser,
            action="backing.group_withdrawn",
            target_type=target_type(target),
            target_id=target.pk,
            details={"backing_group_id": group.pk},
        )
    return bool(deleted)
