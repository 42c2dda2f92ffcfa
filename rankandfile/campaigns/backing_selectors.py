"""Reads about backing campaigns: who backs a campaign, as each page may show it.

What is shown, and why (what would reveal membership):

- Backing groups are named only when the group is public or listed, whose existence and name
  anyone may already see in the directory. A hidden (members-only) group is never named, on
  any page or in the API, not even to its own members: its name beside a campaign would tell
  outsiders that it exists and what it stands for, and a page that named it only for its
  members would tell a member's onlooker which hidden group they are in. Hidden groups are
  counted together, as "and N other groups": a count says that some members-only groups back
  the campaign, not which, nor who is in them.
- Backing members are counted exactly, and named only when they chose to be (their display
  name, never their email). A member's backing counts only while the membership consent it
  was given under stands: withdrawing that consent stops it being counted or named at once,
  and giving consent again later does not revive it (the member backs again if they wish).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.campaigns.backings import BackingTarget, backing_target_fields
from rankandfile.campaigns.models import Backing, Campaign, CampaignState
from rankandfile.groups.models import Group, GroupDistrict, GroupKind, Membership, Visibility
from rankandfile.groups.selectors import groups_organised_by
from rankandfile.lib.geo import distance_km, district_centroid

# The names of backing members a page lists, the latest first; the count is always whole.
MEMBER_NAMES_SHOWN = 50


def member_backings_counted() -> QuerySet[Backing]:
    """Backings by members that count: an active member whose current membership consent
    was given before they backed (see the module's docstring)."""
    consent = Consent.objects.filter(
        member=OuterRef("member_id"),
        purpose=ConsentPurpose.MEMBERSHIP,
        withdrawn_at__isnull=True,
        given_at__lte=OuterRef("created_at"),
    )
    return Backing.objects.filter(member__isnull=False, member__is_active=True).filter(
        Exists(consent)
    )


def _named_group(group: Group) -> bool:
    return group.visibility != Visibility.HIDDEN


@dataclass(frozen=True)
class BackingSummary:
    """Who backs a campaign, as its page shows it."""

    groups_named: list[Group]  # public and listed groups, by name
    groups_other: int  # hidden groups, counted only
    members: int  # every member whose backing counts
    members_named: list[str]  # display names of those who chose to show them (the latest)

    @property
    def groups(self) -> int:
        return len(self.groups_named) + self.groups_other

    @property
    def members_unnamed(self) -> int:
        return self.members - len(self.members_named)


def backing_summary(target: BackingTarget) -> BackingSummary:
    """Who backs the target, in three queries however many back it."""
    on_target = backing_target_fields(target)
    groups = [
        b.backing_group
        for b in Backing.objects.filter(backing_group__isnull=False, **on_target)
        .select_related("backing_group")
        .order_by("backing_group__name", "backing_group_id")
        if b.backing_group is not None
    ]
    members = member_backings_counted().filter(**on_target)
    names = list(
        members.filter(show_name=True)
        .order_by("-created_at", "-pk")
        .values_list("member__display_name", flat=True)[:MEMBER_NAMES_SHOWN]
    )
    named = [g for g in groups if _named_group(g)]
    return BackingSummary(
        groups_named=named,
        groups_other=len(groups) - len(named),
        members=members.count(),
        members_named=names,
    )


def backing_of_member(*, target: BackingTarget, member: User) -> Backing | None:
    """The member's own backing of the target, if it counts."""
    return member_backings_counted().filter(member=member, **backing_target_fields(target)).first()


def member_organises_a_group(member: User) -> bool:
    return groups_organised_by(member).exists()


@dataclass(frozen=True)
class GroupChoice:
    """A group the organiser runs, on the page where they decide what it backs."""

    group: Group
    backs: bool
    refused: str  # why it cannot back the target; "" if it can


def groups_to_back_with(*, target: BackingTarget, organiser: User) -> list[GroupChoice]:
    """The groups the member organises, each with whether it backs the target, in two
    queries."""
    groups = list(groups_organised_by(organiser).distinct().order_by("name", "pk"))
    backing = set(
        Backing.objects.filter(
            backing_group__in=[g.pk for g in groups], **backing_target_fields(target)
        ).values_list("backing_group_id", flat=True)
    )
    choices = []
    for group in groups:
        refused = ""
        if group == target:
            refused = "This is the campaign group itself."
        elif isinstance(target, Campaign) and target.group_id == group.pk:
            refused = "This is the group that runs the campaign."
        choices.append(GroupChoice(group=group, backs=group.pk in backing, refused=refused))
    return choices


# The "Campaigns to back" page -------------------------------------------------------------


@dataclass(frozen=True)
class BackingCounts:
    groups: int = 0
    members: int = 0


NONE = BackingCounts()


def backing_counts() -> tuple[dict[int, BackingCounts], dict[int, BackingCounts]]:
    """Backing counts of every backed campaign and campaign group, by id, in two queries
    however many (a target missing from them has none)."""
    by_groups = (
        Backing.objects.filter(backing_group__isnull=False)
        .values("campaign_id", "target_group_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "target_group_id", "n")
    )
    by_members = (
        member_backings_counted()
        .values("campaign_id", "target_group_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "target_group_id", "n")
    )
    tallies: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for kind, rows in (("groups", by_groups), ("members", by_members)):
        for campaign_id, group_id, n in rows:
            key = ("campaign", campaign_id) if campaign_id else ("group", group_id)
            tallies[key][kind] = n
    campaigns = {pk: BackingCounts(**n) for (kind, pk), n in tallies.items() if kind == "campaign"}
    groups = {pk: BackingCounts(**n) for (kind, pk), n in tallies.items() if kind == "group"}
    return campaigns, groups


@dataclass(frozen=True)
class CampaignToBack:
    """A row of the "Campaigns to back" page: a pressure campaign or a campaign group."""

    kind: str  # "campaigns" or "groups", as in the backing pages' addresses
    title: str
    url: str
    run_by: Group  # the campaign's group, or the campaign group itself
    counts: BackingCounts
    distance_km: float | None  # from the viewer's district to the nearest one it covers
    backed_by_viewer: bool


def _distance(origin: tuple[float, float] | None, group: Group) -> float | None:
    if origin is None:
        return None
    distances = [
        distance_km(origin, point)
        for d in group.districts.all()
        if (point := district_centroid(d.district)) is not None
    ]
    return min(distances) if distances else None


def campaigns_to_back(viewer: User | AnonymousUser) -> tuple[list[CampaignToBack], str]:
    """Campaign groups (public and listed) and open pressure campaigns (of groups that are
    not hidden, or of the viewer's), with their backing counts; nearest first from the
    viewer's postcode district when it is known (and the district returned), else by title.
    Seven queries at most, however many campaigns and backers."""
    districts = Prefetch("districts", queryset=GroupDistrict.objects.order_by("district"))
    groups = list(
        Group.objects.filter(kind=GroupKind.CAMPAIGN)
        .exclude(visibility=Visibility.HIDDEN)
        .prefetch_related(districts)
    )
    visible = ~Q(group__visibility=Visibility.HIDDEN)
    if isinstance(viewer, User):
        visible |= Q(group_id__in=Membership.objects.filter(member=viewer).values("group_id"))
    campaigns = list(
        Campaign.objects.filter(visible, state=CampaignState.OPEN)
        .select_related("group")
        .prefetch_related(Prefetch("group__districts", queryset=districts.queryset))
    )
    by_campaign, by_group = backing_counts()
    mine_campaigns: set[int] = set()
    mine_groups: set[int] = set()
    if isinstance(viewer, User):
        for campaign_id, group_id in (
            member_backings_counted()
            .filter(member=viewer)
            .values_list("campaign_id", "target_group_id")
        ):
            (mine_campaigns if campaign_id else mine_groups).add(campaign_id or group_id)
    near = viewer.postcode_district if isinstance(viewer, User) else ""
    origin = district_centroid(near) if near else None
    rows = [
        CampaignToBack(
            kind="campaigns",
            title=c.title,
            url=c.get_absolute_url(),
            run_by=c.group,
            counts=by_campaign.get(c.pk, NONE),
            distance_km=_distance(origin, c.group),
            backed_by_viewer=c.pk in mine_campaigns,
        )
        for c in campaigns
    ] + [
        CampaignToBack(
            kind="groups",
            title=g.name,
            url=g.get_absolute_url(),
            run_by=g,
            counts=by_group.get(g.pk, NONE),
            distance_km=_distance(origin, g),
            backed_by_viewer=g.pk in mine_groups,
        )
        for g in groups
    ]

    def order(row: CampaignToBack) -> tuple[Any, ...]:
        far = row.distance_km is None
        return (far, row.distance_km or 0.0, row.title.casefold(), row.url)

    rows.sort(key=order)
    return rows, near if origin is not None else ""
