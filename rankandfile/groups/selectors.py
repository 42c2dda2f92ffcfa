"""Reads about groups, each deciding what the viewer may see."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.http import Http404

from rankandfile.accounts.consents import WITHDRAWAL_CONSEQUENCES, ConsentPurpose
from rankandfile.accounts.models import Consent, IssueTag, Skill, User
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
from rankandfile.lib.fulltext import fulltext_search
from rankandfile.lib.geo import (
    LatLon,
    chord_for_km,
    district_centroid,
    district_centroids,
    district_suggestions,
    km_for_chord,
    sphere_point,
)
from rankandfile.lib.postcodes import (
    PostcodeDistrictError,
    normalise_postcode_district,
    postcode_area,
)
from rankandfile.lib.tokens import keyed_digest

# Counts below this are shown as "fewer than 5" on public pages: a tiny group's exact size,
# together with other knowledge, can identify its members.
SMALL_COUNT_THRESHOLD = 5

Viewer = User | AnonymousUser


def _visible_q(viewer: Viewer) -> Q:
    visible = Q(visibility__in=[Visibility.PUBLIC, Visibility.LISTED])
    if viewer.is_authenticated:
        visible |= Q(pk__in=Membership.objects.filter(member=viewer).values("group_id"))
    return visible


# The fields the directory's full-text search looks in: a name holding every word ranks first.
SEARCHED_FIELDS = ("name", "description")


def _in_place(groups: QuerySet[Group], compact: str) -> QuerySet[Group]:
    """The groups covering a postcode district (``LS6``), or else an area (``LS``)."""
    try:
        covers = Q(district=normalise_postcode_district(compact))
    except PostcodeDistrictError:
        covers = Q(area=compact[:2])
    return groups.filter(pk__in=GroupDistrict.objects.filter(covers).values("group_id"))


def _filtered(*, viewer: Viewer, text: str, kind: str, place: str, issue: str) -> QuerySet[Group]:
    groups = Group.objects.filter(_visible_q(viewer))
    if text.strip():
        groups = fulltext_search(groups, text, fields=SEARCHED_FIELDS, rank=True)
    if kind:
        groups = groups.filter(kind=kind)
    if place:
        groups = _in_place(groups, place.strip().upper().replace(" ", ""))
    if issue:
        tagged = Group.issues.through.objects.filter(issuetag__slug=issue)
        groups = groups.filter(pk__in=tagged.values("group_id"))
    return groups


def _with_cards(groups: QuerySet[Group]) -> QuerySet[Group]:
    """What a group's card shows, fetched for the rows shown only."""
    return groups.prefetch_related(
        Prefetch("districts", queryset=GroupDistrict.objects.order_by("district")),
        Prefetch("issues", queryset=IssueTag.objects.order_by("name")),
    )


def groups_directory(
    *,
    viewer: Viewer,
    text: str = "",
    kind: str = "",
    place: str = "",
    issue: str = "",
) -> QuerySet[Group]:
    """The group directory: public and listed groups, plus hidden ones the viewer belongs to,
    by name (those whose name holds every word of ``text`` first).

    ``place`` is a postcode district (``LS6``) or area (``LS``); ``text`` is searched in full
    (``lib.fulltext``).
    """
    groups = _filtered(viewer=viewer, text=text, kind=kind, place=place, issue=issue)
    order = ("-fulltext_rank", "name", "pk") if text.strip() else ("name", "pk")
    return _with_cards(groups).order_by(*order)


# Groups a page of the directory (and of its API) lists: as many as a page of the resource
# hub, a long but still scrollable page on a phone.
DIRECTORY_PER_PAGE = 20


@dataclass(frozen=True)
class DirectorySearch:
    """The directory's answer to a search: one page of groups, each with ``member_count``.
    When the place is a known district, the groups are ordered nearest first and each has
    ``distance_km`` (to the nearest district it covers)."""

    page: Page[Group]
    near: str = ""  # the known district the groups are ordered from
    unknown_place: str = ""  # a place we could not locate
    suggestions: list[str] = field(default_factory=list)

    @property
    def groups(self) -> list[Group]:
        return list(self.page.object_list)


def _squared_chord(origin: LatLon, prefix: str = "") -> ExpressionWrapper[CombinedExpression]:
    """The squared chord from ``origin`` to a district's place on the unit sphere
    (``GroupDistrict.sphere_*``, reached through ``prefix``): plain arithmetic in the
    database, which orders exactly as the distance along the surface does."""
    x0, y0, z0 = sphere_point(origin)
    x, y, z = F(f"{prefix}sphere_x"), F(f"{prefix}sphere_y"), F(f"{prefix}sphere_z")
    return ExpressionWrapper(
        (x - x0) * (x - x0) + (y - y0) * (y - y0) + (z - z0) * (z - z0),
        output_field=FloatField(),
    )


def _within(groups: QuerySet[Group], origin: LatLon, radius_km: int | None) -> QuerySet[Group]:
    """The groups covering a district within ``radius_km`` of ``origin`` (all of them when no
    radius is given). The radius is first a box around the origin (the z range is a band of
    latitudes, indexed), then the exact chord."""
    if radius_km is None:
        return groups
    x0, y0, z0 = sphere_point(origin)
    chord = chord_for_km(radius_km)
    within = GroupDistrict.objects.annotate(squared_chord=_squared_chord(origin)).filter(
        sphere_z__range=(z0 - chord, z0 + chord),
        sphere_x__range=(x0 - chord, x0 + chord),
        sphere_y__range=(y0 - chord, y0 + chord),
        squared_chord__lte=chord * chord,
    )
    return groups.filter(pk__in=within.values("group_id"))


def _nearest_first(
    groups: QuerySet[Group], origin: LatLon, radius_km: int | None
) -> QuerySet[Group]:
    """The groups ordered by the distance from ``origin`` to the nearest district each covers
    (one pass over the districts, grouped by group), those covering no known district last;
    only those within ``radius_km`` when it is given."""
    nearest = Min(_squared_chord(origin, prefix="districts__"))
    return (
        _within(groups, origin, radius_km)
        .annotate(squared_chord=nearest)
        .order_by(F("squared_chord").asc(nulls_last=True), "name", "pk")
    )


def _with_member_count(groups: QuerySet[Group]) -> QuerySet[Group]:
    """``groups``, each with ``member_count``, counted in the same query (for the rows of
    the page only: the database computes a subquery in the select list after the limit)."""
    members = Membership.objects.filter(group=OuterRef("pk")).values("group")
    return groups.annotate(
        member_count=Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")), 0)
    )


def directory_search(
    *,
    viewer: Viewer,
    text: str = "",
    kind: str = "",
    place: str = "",
    issue: str = "",
    radius_km: int | None = None,
    page: int | str | None = None,
) -> DirectorySearch:
    """A page of the group directory, nearest first from a known postcode district.

    A known district orders every matching group by the distance from it to the nearest
    district the group covers (groups covering no known district come last, or are left out
    when a radius is given). Area letters (``LS``) filter by area. Anything else is answered
    with suggestions. Without a known district, groups come by name, those whose name holds
    the words searched first. However many groups there are, a page takes the same queries:
    count, page (with its member counts), districts, issues.
    """
    compact = place.strip().upper().replace(" ", "")
    origin = district_centroid(compact) if compact else None
    unknown_place, suggestions = "", []
    if origin is not None:
        filtered = _filtered(viewer=viewer, text=text, kind=kind, place="", issue=issue)
        groups = _nearest_first(_with_cards(filtered), origin, radius_km)
        counted = _within(filtered, origin, radius_km)
    else:
        groups = groups_directory(viewer=viewer, text=text, kind=kind, place=compact, issue=issue)
        known_area = compact.isalpha() and any(
            postcode_area(d) == compact for d in district_centroids()
        )
        if compact and not known_area:
            unknown_place, suggestions = compact, district_suggestions(compact)
        counted = groups
    paginator = Paginator(_with_member_count(groups), DIRECTORY_PER_PAGE)
    # Counted without the ordering's join to every group's districts.
    paginator.count = counted.count()
    shown = paginator.get_page(page)
    rows = list(shown.object_list)
    if origin is not None:
        for group in rows:
            chord = group.squared_chord  # type: ignore[attr-defined]
            group.distance_km = None if chord is None else km_for_chord(math.sqrt(chord))  # type: ignore[attr-defined]
    shown.object_list = rows
    return DirectorySearch(
        page=shown,
        near=compact if origin is not None else "",
        unknown_place=unknown_place,
        suggestions=suggestions,
    )


# How many groups near a member their home page suggests.
GROUPS_NEAR_SHOWN = 6


def groups_near(member: User) -> list[Group]:
    """Public and listed groups covering the member's postcode district or its area that they
    are not in, those in the district itself first. Hidden groups are never suggested."""
    district = member.postcode_district
    if not district:
        return []
    mine = Membership.objects.filter(member=member).values("group_id")
    covers = GroupDistrict.objects.filter(group=OuterRef("pk"))
    groups = (
        Group.objects.filter(visibility__in=[Visibility.PUBLIC, Visibility.LISTED])
        .filter(Exists(covers.filter(area=postcode_area(district))))
        .exclude(pk__in=mine)
        .annotate(in_district=Exists(covers.filter(district=district)))
        .prefetch_related(
            Prefetch("districts", queryset=GroupDistrict.objects.order_by("district")),
            Prefetch("issues", queryset=IssueTag.objects.order_by("name")),
        )
        .order_by("-in_district", "name", "pk")
    )
    return list(groups[:GROUPS_NEAR_SHOWN])


def group_get_for_viewer(*, slug: str, viewer: Viewer) -> Group:
    """A group the viewer may see, or 404: a hidden group does not exist for non-members."""
    group = Group.objects.filter(slug=slug).first()
    if group is None:
        raise Http404("No such group")
    if group.visibility == Visibility.HIDDEN and not (
        viewer.is_authenticated and membership_of(group=group, member=viewer) is not None
    ):
        raise Http404("No such group")
    return group


def member_is_organiser(member: User, group: Group) -> bool:
    """Whether the member is an organiser of the group: the one place this is asked."""
    return Membership.objects.filter(group=group, member=member, role=Role.ORGANISER).exists()


def groups_organised_by(member: User) -> QuerySet[Group]:
    """The groups of which the member is an organiser."""
    return Group.objects.filter(memberships__member=member, memberships__role=Role.ORGANISER)


def groups_organisers(group: Group) -> QuerySet[User]:
    """The group's organisers, as members."""
    return User.objects.filter(
        memberships__group=group, memberships__role=Role.ORGANISER, is_active=True
    ).order_by("pk")


def group_get_for_organiser(*, slug: str, organiser: User) -> Group:
    """A group the member organises, or 404 (deny by default: no hint that it exists)."""
    group = groups_organised_by(organiser).filter(slug=slug).first()
    if group is None:
        raise Http404("No such group")
    return group


def membership_of(*, group: Group, member: User) -> Membership | None:
    return Membership.objects.filter(group=group, member=member).first()


def pending_request_of(*, group: Group, member: User) -> JoinRequest | None:
    return JoinRequest.objects.filter(
        group=group, member=member, status=JoinRequestStatus.PENDING
    ).first()


def member_count_public(count: int) -> str:
    return f"fewer than {SMALL_COUNT_THRESHOLD}" if count < SMALL_COUNT_THRESHOLD else str(count)


def groups_of_member(member: User) -> QuerySet[Membership]:
    return Membership.objects.filter(member=member).select_related("group").order_by("group__name")


def consent_withdrawal_consequences(*, member: User, purpose: ConsentPurpose) -> list[str]:
    """What withdrawing the consent does, said before it is done; for membership, which
    groups the member leaves."""
    lines = list(WITHDRAWAL_CONSEQUENCES[purpose])
    if purpose == ConsentPurpose.MEMBERSHIP:
        names = [m.group.name for m in groups_of_member(member)]
        if names:
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            lines.insert(0, f"Every membership of yours ends at once: you leave {listed}.")
    return lines


@dataclass(frozen=True)
class MemberRow:
    """What an organiser sees of a member: never the email without consent to introductions."""

    member_id: int
    display_name: str
    postcode_district: str
    role: str
    joined_at: datetime
    email: str | None
    vouched: bool


@dataclass(frozen=True, kw_only=True)
class MemberFilters:
    """The organiser's search and filters of their member table; the defaults filter nothing."""

    text: str = ""  # part of a display name, or of an email the member shares
    role: str = ""  # "" for any role
    vouched: bool | None = None  # None for either
    joined_since: date | None = None


def _introductions_consent(member_ref: OuterRef) -> Exists:
    return Exists(
        Consent.objects.filter(
            member=member_ref, purpose=ConsentPurpose.INTRODUCTIONS, withdrawn_at__isnull=True
        )
    )


def group_members_for_organiser(
    group: Group,
    filters: MemberFilters = MemberFilters(),
    *,
    vouched_member_ids: QuerySet[Any] | None = None,
) -> PkOrdered:
    """The group's memberships as its organisers' table lists them: organisers first, then by
    name, each with ``shares_email`` and ``vouched`` annotated: one query for the order (two
    with a search) however many, and one a page.

    Vouches belong to campaigns (above groups), so the caller passes the ids of the group's
    vouched members as a subquery (``.values("member_id")``); without it nobody is vouched.
    An email is searched only where the member consented to introductions: otherwise a search
    by address would tell the organiser which pseudonym is whose.
    """
    vouched = Q(member_id__in=vouched_member_ids) if vouched_member_ids is not None else Q(pk=None)
    memberships = (
        Membership.objects.filter(group=group)
        .select_related("member")
        .annotate(
            shares_email=_introductions_consent(OuterRef("member_id")),
            vouched=ExpressionWrapper(vouched, output_field=BooleanField()),
        )
    )
    if filters.role:
        memberships = memberships.filter(role=filters.role)
    if filters.vouched is not None:
        memberships = memberships.filter(vouched if filters.vouched else ~vouched)
    if filters.joined_since is not None:
        memberships = memberships.filter(joined_at__date__gte=filters.joined_since)
    # Names and emails are encrypted at rest: the search and the order by name are done here,
    # over one query of the group's (filtered) memberships, and only a page is loaded in full.
    text = filters.text.casefold()
    if text:
        rows = memberships.order_by("pk").values_list(
            "pk", "role", "member__display_name", "shares_email"
        )
        emails = dict(memberships.filter(shares_email=True).values_list("pk", "member__email"))
        candidates = [
            (pk, role, name)
            for pk, role, name, shares in rows
            if text in name.casefold() or (shares and text in emails.get(pk, "").casefold())
        ]
    else:
        candidates = list(
            memberships.order_by("pk").values_list("pk", "role", "member__display_name")
        )
    candidates = sorted_by_display_name(candidates, lambda row: row[2])
    candidates.sort(key=lambda row: row[1], reverse=True)  # organisers first, by name
    return PkOrdered(memberships, [pk for pk, _role, _name in candidates])


class PkOrdered(Sequence[Membership]):
    """Memberships in the order of a list of their ids: ``len`` without a query, and a slice
    (a page) loaded from ``queryset`` in one query."""

    def __init__(self, queryset: QuerySet[Membership], pks: list[int]) -> None:
        self.queryset = queryset
        self.pks = pks

    def __len__(self) -> int:
        return len(self.pks)

    @overload
    def __getitem__(self, index: int) -> Membership: ...
    @overload
    def __getitem__(self, index: slice) -> list[Membership]: ...
    def __getitem__(self, index: int | slice) -> Membership | list[Membership]:
        if isinstance(index, int):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        chunk = self.pks[index]
        loaded = {m.pk: m for m in self.queryset.filter(pk__in=chunk)}
        return [loaded[pk] for pk in chunk if pk in loaded]


def member_rows(memberships: Iterable[Membership]) -> list[MemberRow]:
    """Rows of the member table from memberships of ``group_members_for_organiser``."""
    return [
        MemberRow(
            member_id=m.member_id,
            display_name=m.member.display_name,
            postcode_district=m.member.postcode_district,
            role=m.role,
            joined_at=m.joined_at,
            email=m.member.email if getattr(m, "shares_email", False) else None,
            vouched=bool(getattr(m, "vouched", False)),
        )
        for m in memberships
    ]


def sorted_by_display_name[T](items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` by the display name ``name`` gives for each, case-blind; items of the same
    name keep the order they came in (give them in a stable order, by id).

    Display names are encrypted at rest, so no database can order by them: every list by name
    is sorted here, over the rows of one bounded query."""
    return sorted(items, key=lambda item: name(item).casefold())


def _members_name(membership: Membership) -> str:
    return membership.member.display_name


def memberships_by_name(memberships: Iterable[Membership]) -> list[Membership]:
    """Memberships (with their member loaded) by the member's display name."""
    return sorted_by_display_name(memberships, _members_name)


def members_listed(group: Group) -> list[Membership]:
    """Members of the group who chose to be on its member list, by name, with their skills and
    interests: three queries however many. Only for the group's own members to see."""
    memberships = (
        Membership.objects.filter(group=group, listed=True, member__is_active=True)
        .select_related("member")
        .prefetch_related(
            Prefetch("member__skills", queryset=Skill.objects.order_by("name")),
            Prefetch("member__interests", queryset=IssueTag.objects.order_by("name")),
        )
        .order_by("pk")
    )
    return memberships_by_name(memberships)


def pending_requests_for_organiser(
    group: Group, *, text: str = ""
) -> QuerySet[JoinRequest] | list[JoinRequest]:
    """Requests to join waiting for an organiser, the oldest first; only those whose display
    name contains ``text`` when it is given (never searched by email: the member has not
    joined, let alone consented to introductions)."""
    requests = (
        JoinRequest.objects.filter(group=group, status=JoinRequestStatus.PENDING)
        .select_related("member")
        .order_by("created_at", "pk")
    )
    if text:
        # Display names are encrypted at rest: the group's pending requests are searched here,
        # loaded in one query.
        wanted = text.casefold()
        return [r for r in requests if wanted in r.member.display_name.casefold()]
    return requests


def pending_request_count(group: Group) -> int:
    return JoinRequest.objects.filter(group=group, status=JoinRequestStatus.PENDING).count()


def invitation_email_digest(email: str) -> str:
    """What an invitation keeps of the address it was sent to."""
    return keyed_digest(email.strip().lower(), purpose="invitation-email")


def invitation_is_for(*, invitation: Invitation, member: User) -> bool:
    """Whether the invitation was sent to one of the member's verified addresses. Only then may
    they see which group it is for, or accept it: anyone else who has the link learns nothing."""
    addresses = EmailAddress.objects.filter(user=member, verified=True).values_list(
        "email", flat=True
    )
    return any(invitation_email_digest(a) == invitation.email_digest for a in addresses)
