"""Reads about slates, each deciding what the viewer may see.

A slate is its groups' members' business until it is published: they see it (and the
organisers of a group asked to hold it, to agree), anyone else gets a 404. A published slate's
recommended order is public: its page and its embed are for anyone (applicants are told so).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.proposals.models import Slate, SlateApplication, SlateGroup, SlateState

Viewer = User | AnonymousUser


def slates_for_member(member: Viewer) -> QuerySet[Slate]:
    """Slates held (or asked to be held) by any of the member's groups, newest first."""
    if not isinstance(member, User):
        return Slate.objects.none()
    groups = Membership.objects.filter(member=member).values("group_id")
    held = SlateGroup.objects.filter(group_id__in=groups).values("slate_id")
    return Slate.objects.filter(pk__in=held).select_related("group").order_by("-created_at", "-pk")


def slates_of_group(group: Group) -> QuerySet[Slate]:
    held = SlateGroup.objects.filter(group=group).values("slate_id")
    return Slate.objects.filter(pk__in=held).select_related("group").order_by("-created_at", "-pk")


def slate_get_for_viewer(*, slate_id: int, viewer: Viewer) -> Slate:
    """A slate the viewer may see, or 404 (deny by default)."""
    slate = slates_for_member(viewer).filter(pk=slate_id).first()
    if slate is None:
        raise Http404("No such slate")
    return slate


def slate_get_published(*, slate_id: int) -> Slate:
    slate = Slate.objects.filter(pk=slate_id, state=SlateState.PUBLISHED).first()
    if slate is None:
        raise Http404("No such slate")
    return slate


def slate_groups(slate: Slate) -> list[SlateGroup]:
    return list(SlateGroup.objects.filter(slate=slate).select_related("group").order_by("pk"))


def slate_groups_public(slate: Slate) -> list[Group]:
    """The groups holding a published slate that may be named in public (hidden ones are not)."""
    return [
        sg.group
        for sg in slate_groups(slate)
        if sg.agreed_at is not None and sg.group.visibility != Visibility.HIDDEN
    ]


def applicants(slate: Slate) -> list[SlateApplication]:
    """The applications still standing, in the order they were made."""
    return list(
        SlateApplication.objects.filter(slate=slate, withdrawn=False).order_by("created_at", "pk")
    )


def recommended_order(slate: Slate) -> list[SlateApplication]:
    """The published slate: the elected, in the order of their election."""
    if slate.state != SlateState.PUBLISHED:
        return []
    return list(
        SlateApplication.objects.filter(slate=slate, slate_position__isnull=False).order_by(
            "slate_position"
        )
    )


def application_of(*, slate: Slate, member: Viewer) -> SlateApplication | None:
    if not isinstance(member, User):
        return None
    return SlateApplication.objects.filter(slate=slate, member=member, withdrawn=False).first()


def groups_to_agree(*, slate: Slate, member: Viewer) -> list[Group]:
    """The member's groups, organised by them, asked to hold the slate and not agreed yet."""
    if not isinstance(member, User) or slate.state != SlateState.AGREEING:
        return []
    waiting = [sg.group for sg in slate_groups(slate) if sg.agreed_at is None]
    return [group for group in waiting if member_is_organiser(member, group)]
