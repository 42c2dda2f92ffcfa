"""Reads about introductions, as each side may see them.

One rule decides every contact detail shown, in the pages and the API alike
(``_contact_shown``): the introduction is accepted, the viewer is one of its two sides, and
both sides consent to introductions now. A request for a skill never says whom it reached,
nor how many: the asker learns only who accepted, and a matched member sees only their own
match.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.groups.models import Group, Membership, Role
from rankandfile.introductions.models import (
    ContactMethod,
    Introduction,
    IntroductionContact,
    IntroductionKind,
    IntroductionMatch,
    IntroductionStatus,
    MatchAnswer,
)


@dataclass(frozen=True)
class ContactDetail:
    method: str
    label: str
    value: str


def contact_detail_of(member: User) -> ContactDetail:
    """The detail the member chose to share (email unless they chose a phone number). Only
    ``_contact_shown`` and the member's own settings page call this."""
    try:
        contact: IntroductionContact | None = member.introduction_contact
    except IntroductionContact.DoesNotExist:
        contact = None
    if contact is not None and contact.method == ContactMethod.PHONE:
        return ContactDetail(method="phone", label="Phone", value=contact.phone)
    return ContactDetail(method="email", label="Email", value=member.email)


def member_contact_choice(member: User) -> IntroductionContact | None:
    return IntroductionContact.objects.filter(member=member).first()


@dataclass(frozen=True)
class IntroductionRow:
    """One introduction as one member sees it: asked by them, or received by them."""

    introduction: Introduction
    side: str  # "asked" or "received"
    status: str
    status_label: str
    what: str
    other_name: str  # "" until the other side is known to this member
    contact: ContactDetail | None
    may_answer: bool
    may_withdraw: bool


def _consents(member_field: str) -> Exists:
    return Exists(
        Consent.objects.filter(
            member=OuterRef(member_field),
            purpose=ConsentPurpose.INTRODUCTIONS,
            withdrawn_at__isnull=True,
        )
    )


def _with_everything(introductions: QuerySet[Introduction]) -> QuerySet[Introduction]:
    return introductions.select_related(
        "group",
        "skill",
        "asker__introduction_contact",
        "decided_by__introduction_contact",
    ).annotate(asker_consents=_consents("asker"), decider_consents=_consents("decided_by"))


def _contact_shown(introduction: Introduction, of: User | None) -> ContactDetail | None:
    if (
        of is None
        or introduction.status != IntroductionStatus.ACCEPTED
        or not introduction.asker_consents  # type: ignore[attr-defined]
        or not introduction.decider_consents  # type: ignore[attr-defined]
    ):
        return None
    return contact_detail_of(of)


def what_was_asked(introduction: Introduction) -> str:
    if introduction.kind == IntroductionKind.GROUP:
        assert introduction.group is not None
        return f"An introduction to {introduction.group.name}"
    assert introduction.skill is not None
    return (
        f"Someone offering {introduction.skill.name} within {introduction.radius_km} km "
        f"of {introduction.district}"
    )


_ASKED_LABELS = {
    IntroductionStatus.OPEN: "Waiting for an answer",
    IntroductionStatus.ACCEPTED: "Accepted",
    IntroductionStatus.DECLINED: "Declined",
    IntroductionStatus.WITHDRAWN: "Withdrawn",
}


def _asked_row(introduction: Introduction) -> IntroductionRow:
    accepted = introduction.status == IntroductionStatus.ACCEPTED
    decider = introduction.decided_by
    other = decider.display_name if accepted and decider is not None else ""
    if introduction.kind == IntroductionKind.GROUP and accepted and introduction.group:
        other = f"{other} for {introduction.group.name}"
    return IntroductionRow(
        introduction=introduction,
        side="asked",
        status=introduction.status,
        status_label=_ASKED_LABELS[IntroductionStatus(introduction.status)],
        what=what_was_asked(introduction),
        other_name=other,
        contact=_contact_shown(introduction, decider),
        may_answer=False,
        may_withdraw=introduction.status in (IntroductionStatus.OPEN, IntroductionStatus.ACCEPTED),
    )


def _received_row(
    introduction: Introduction, *, viewer: User, match_answer: str | None
) -> IntroductionRow:
    status = introduction.status
    label = {
        IntroductionStatus.OPEN: "Waiting for your answer",
        IntroductionStatus.ACCEPTED: "Accepted",
        IntroductionStatus.DECLINED: "Declined",
        IntroductionStatus.WITHDRAWN: "Withdrawn",
    }[IntroductionStatus(status)]
    if match_answer == MatchAnswer.DECLINED:
        status, label = "declined", "You declined"
    elif introduction.kind == IntroductionKind.GROUP:
        if status == IntroductionStatus.OPEN:
            label = "Waiting for an organiser's answer"
        elif introduction.decided_by is not None and status != IntroductionStatus.WITHDRAWN:
            by = "you" if introduction.decided_by_id == viewer.pk else "an organiser"
            label = f"{label} by {by}"
    is_open = introduction.status == IntroductionStatus.OPEN
    return IntroductionRow(
        introduction=introduction,
        side="received",
        status=status,
        status_label=label,
        what=what_was_asked(introduction),
        other_name=introduction.asker.display_name,
        contact=_contact_shown(introduction, introduction.asker),
        may_answer=is_open
        and (introduction.kind == IntroductionKind.GROUP or match_answer == MatchAnswer.PENDING),
        may_withdraw=introduction.status == IntroductionStatus.ACCEPTED,
    )


def introductions_asked(member: User) -> list[IntroductionRow]:
    """The member's own requests, newest first, in one query."""
    return [
        _asked_row(introduction)
        for introduction in _with_everything(Introduction.objects.filter(asker=member))
    ]


def _organised_group_ids(member: User) -> QuerySet[Membership, int]:
    return Membership.objects.filter(member=member, role=Role.ORGANISER).values_list(
        "group_id", flat=True
    )


def introductions_received(member: User) -> list[IntroductionRow]:
    """Requests to the groups the member organises and requests for a skill that reached the
    member (and that nobody else has answered), newest first, in one query."""
    to_groups = Q(kind=IntroductionKind.GROUP, group_id__in=_organised_group_ids(member))
    matches = IntroductionMatch.objects.filter(member=member).exclude(answer=MatchAnswer.CLOSED)
    for_skills = Q(kind=IntroductionKind.SKILL, pk__in=matches.values("introduction_id"))
    received = _with_everything(
        Introduction.objects.filter(to_groups | for_skills).order_by("-created_at", "-pk")
    ).annotate(
        match_answer=Subquery(
            IntroductionMatch.objects.filter(introduction=OuterRef("pk"), member=member).values(
                "answer"
            )[:1]
        )
    )
    return [
        _received_row(
            introduction,
            viewer=member,
            match_answer=introduction.match_answer
            if introduction.kind == IntroductionKind.SKILL
            else None,
        )
        for introduction in received
    ]


def introductions_awaiting_answer(member: User) -> list[IntroductionRow]:
    """Received requests still waiting for the member's answer: for the home page."""
    return [row for row in introductions_received(member) if row.may_answer]


def introductions_to_group(group: Group, *, organiser: User) -> QuerySet[Introduction]:
    """Every request to the group, newest first, for its organisers' page."""
    return _with_everything(Introduction.objects.filter(group=group))


def introduction_rows_for_organiser(
    introductions: list[Introduction], *, organiser: User
) -> list[IntroductionRow]:
    return [
        _received_row(introduction, viewer=organiser, match_answer=None)
        for introduction in introductions
    ]


def open_request_count(member: User) -> int:
    return Introduction.objects.filter(asker=member, status=IntroductionStatus.OPEN).count()


def introduction_get_for_party(*, introduction_id: int, member: User) -> Introduction:
    """An introduction the member is a side of (asked it, was matched to it, organises the
    group it asks for, or accepted it), or 404."""
    party = (
        Q(asker=member)
        | Q(decided_by=member)
        | Q(matches__member=member)
        | Q(kind=IntroductionKind.GROUP, group_id__in=_organised_group_ids(member))
    )
    introduction = Introduction.objects.filter(party, pk=introduction_id).distinct().first()
    if introduction is None:
        raise Http404("No such introduction")
    return introduction
