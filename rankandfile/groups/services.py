"""Every write about groups: creation, joining by visibility, requests, invitations, roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import IssueTag, User
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import ConsentRequiredError, consent_withdraw
from rankandfile.groups import selectors
from rankandfile.groups.models import (
    Group,
    GroupDistrict,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Role,
    Visibility,
)
from rankandfile.lib.postcodes import normalise_postcode_district
from rankandfile.lib.slugs import slug_new
from rankandfile.lib.tokens import token_digest, token_new

INVITATION_LIFETIME = timedelta(days=14)


class GroupActionError(Exception):
    """An action the group's rules do not allow; the message is meant for the member."""


def _require_membership_consent(member: User) -> None:
    if not member_has_consent(member, ConsentPurpose.MEMBERSHIP):
        raise ConsentRequiredError(ConsentPurpose.MEMBERSHIP)


# Addresses under /groups/ that are pages, not groups: a group named "Map" must not hide them.
PAGE_SLUGS = frozenset({"new", "map", "invitations"})


def _slug_taken(slug: str) -> bool:
    return slug in PAGE_SLUGS or Group.objects.filter(slug=slug).exists()


def _unique_slug(name: str, *, visibility: str) -> str:
    """A hidden group never holds the plain slug of its name (see ``lib.slugs``)."""
    return slug_new(
        name, fallback="group", taken=_slug_taken, private=visibility == Visibility.HIDDEN
    )


def _set_districts(group: Group, districts: Iterable[str]) -> None:
    normalised = sorted({normalise_postcode_district(d) for d in districts if d.strip()})
    group.districts.exclude(district__in=normalised).delete()
    existing = set(group.districts.values_list("district", flat=True))
    GroupDistrict.objects.bulk_create(
        GroupDistrict.covering(group=group, district=d) for d in normalised if d not in existing
    )


@dataclass(frozen=True, kw_only=True)
class GroupDetails:
    """What the group form edits, for a new group and an existing one alike."""

    name: str
    kind: str
    description: str
    visibility: str
    districts: Iterable[str]
    issues: Iterable[IssueTag]


def _group_details_save(group: Group, details: GroupDetails) -> None:
    group.name = details.name.strip()
    group.kind = details.kind
    group.description = details.description.strip()
    group.visibility = details.visibility
    group.full_clean()
    group.save()
    group.issues.set(details.issues)
    _set_districts(group, details.districts)


@transaction.atomic
def group_create(*, creator: User, details: GroupDetails) -> Group:
    """Create a group; its creator becomes its first organiser."""
    _require_membership_consent(creator)
    group = Group(slug=_unique_slug(details.name, visibility=details.visibility))
    _group_details_save(group, details)
    Membership.objects.create(group=group, member=creator, role=Role.ORGANISER)
    return group


@transaction.atomic
def group_update(*, group: Group, details: GroupDetails) -> Group:
    if details.visibility == Visibility.HIDDEN and group.visibility != Visibility.HIDDEN:
        # Its old, plain address would still tell a namesake that a group of that name exists.
        group.slug = _unique_slug(details.name, visibility=details.visibility)
    _group_details_save(group, details)
    return group


def _membership_add(*, group: Group, member: User, role: Role = Role.MEMBER) -> Membership:
    """Add a member; the unique constraint, not a prior check, stops a second membership."""
    try:
        with transaction.atomic():
            return Membership.objects.create(group=group, member=member, role=role)
    except IntegrityError:
        return Membership.objects.get(group=group, member=member)


@dataclass(frozen=True)
class JoinOutcome:
    membership: Membership | None
    join_request: JoinRequest | None


def group_join(*, group: Group, member: User) -> JoinOutcome:
    """Join a public group at once, or ask to join a listed one; hidden ones need an invitation."""
    _require_membership_consent(member)
    if group.visibility == Visibility.PUBLIC:
        return JoinOutcome(
            membership=_membership_add(group=group, member=member), join_request=None
        )
    if group.visibility == Visibility.LISTED:
        if Membership.objects.filter(group=group, member=member).exists():
            raise GroupActionError("You are already a member of this group.")
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(group=group, member=member)
        except IntegrityError:
            join_request = JoinRequest.objects.get(
                group=group, member=member, status=JoinRequestStatus.PENDING
            )
        return JoinOutcome(membership=None, join_request=join_request)
    raise GroupActionError("This group is joined by invitation only.")


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, organiser: User, approve: bool
) -> Membership | None:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequestStatus.PENDING:
        raise GroupActionError("This request has already been decided.")
    locked.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = organiser
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    if not approve:
        return None
    if not member_has_consent(locked.member, ConsentPurpose.MEMBERSHIP):
        raise GroupActionError("This member has withdrawn their consent to membership.")
    return _membership_add(group=locked.group, member=locked.member)


def invitation_record(*, group: Group, organiser: User, email: str) -> tuple[Invitation, str]:
    """Record an invitation for one email address; its token is returned once, never stored.

    Sending it is ``notifications.services.invitation_create``, the workflow that calls this.
    """
    token = token_new()
    invitation = Invitation.objects.create(
        group=group,
        invited_by=organiser,
        email_digest=selectors.invitation_email_digest(email),
        token_digest=token_digest(token),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("group").filter(token_digest=token_digest(token)).first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, member: User) -> Membership:
    """Accept an invitation: only the invited address may use it, and only once."""
    _require_membership_consent(member)
    invitation = invitation_for_token(token)
    if invitation is None:
        raise GroupActionError("This invitation link is not valid or has expired.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise GroupActionError("This invitation has already been used.")
    if not selectors.invitation_is_for(invitation=invitation, member=member):
        raise GroupActionError(
            "This invitation was sent to a different email address. Log in with the account "
            "for that address, once the address is verified, to accept it."
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return _membership_add(group=invitation.group, member=member)


@transaction.atomic
def membership_leave(*, group: Group, member: User) -> None:
    membership = Membership.objects.select_for_update().filter(group=group, member=member).first()
    if membership is None:
        return
    if membership.role == Role.ORGANISER:
        organisers = Membership.objects.filter(group=group, role=Role.ORGANISER).count()
        others = Membership.objects.filter(group=group).exclude(member=member).exists()
        if organisers == 1 and others:
            raise GroupActionError(
                "You are this group's only organiser. Make another member an organiser first."
            )
    membership.delete()


@transaction.atomic
def membership_set_role(*, group: Group, member: User, role: Role) -> Membership:
    membership = Membership.objects.select_for_update().get(group=group, member=member)
    demoting = role == Role.MEMBER and membership.role == Role.ORGANISER
    if demoting and Membership.objects.filter(group=group, role=Role.ORGANISER).count() == 1:
        raise GroupActionError("A group needs at least one organiser.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def membership_listing_set(*, group: Group, member: User, listed: bool) -> None:
    """The member's choice to be on the group's member list, for its other members (or not):
    one UPDATE of their membership."""
    if not Membership.objects.filter(group=group, member=member).update(listed=listed):
        raise GroupActionError("Only members of this group can be on its member list.")


@transaction.atomic
def member_consent_withdraw(*, member: User, purpose: ConsentPurpose) -> bool:
    """Withdraw one of the member's consents and stop what it covered; False if none was current.

    Withdrawing consent to membership also ends every membership and pending join request of
    the member, so it is a groups workflow that calls down to ``accounts``; joining again needs
    consent again.
    """
    withdrawn = consent_withdraw(member=member, purpose=purpose)
    if withdrawn and purpose == ConsentPurpose.MEMBERSHIP:
        Membership.objects.filter(member=member).delete()
        JoinRequest.objects.filter(member=member, status=JoinRequestStatus.PENDING).delete()
    return withdrawn
