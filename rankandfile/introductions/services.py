"""Every write about introductions: asking, accepting, declining, withdrawing, the contact a
member shares, and closing what a withdrawn consent covered.

Every step needs the member's current consent to introductions, is audited without the
message's text, and emails the other side through the outbox (never with a contact detail:
the emails send the member to the site, where the details are shown after acceptance only).
The pages and the API count each step against ``RATE_LIMITS["introduction"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Skill, User
from rankandfile.accounts.selectors import member_has_consent, members_consenting_to
from rankandfile.accounts.services import ConsentRequiredError
from rankandfile.audit.services import DetailValue, audit_record
from rankandfile.groups.models import Group, Role
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.introductions.models import (
    MESSAGE_LONGEST,
    ContactMethod,
    Introduction,
    IntroductionContact,
    IntroductionKind,
    IntroductionMatch,
    IntroductionStatus,
    MatchAnswer,
)
from rankandfile.lib.geo import district_centroid, districts_near
from rankandfile.lib.postcodes import PostcodeDistrictError, normalise_postcode_district
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import message_enqueue

OPEN_REQUESTS_MOST = 5
# A request for a skill goes to at most this many members, the nearest first: enough to find
# someone, few enough that one request cannot mail a whole region.
MATCHES_MOST = 10
RADIUS_CHOICES_KM = (5, 10, 25, 50)
TOO_MANY_OPEN = (
    f"You already have {OPEN_REQUESTS_MOST} requests waiting for an answer, the most at once. "
    "Withdraw one on your introductions page, or wait for an answer, then ask again."
)


class IntroductionError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


class TooManyOpenRequestsError(IntroductionError):
    def __init__(self) -> None:
        super().__init__(TOO_MANY_OPEN)


def _audit(
    actor: User, action: str, introduction: Introduction | None, **details: DetailValue
) -> None:
    audit_record(
        actor=actor,
        action=f"introductions.{action}",
        target_type="introduction",
        target_id=introduction.pk if introduction is not None else "-",
        details=details,
    )


def _need_consent(member: User) -> None:
    if not member_has_consent(member, ConsentPurpose.INTRODUCTIONS):
        raise ConsentRequiredError(ConsentPurpose.INTRODUCTIONS)


def _clean_message(message: str) -> str:
    cleaned = message.strip().replace("\r\n", "\n")
    if not cleaned:
        raise IntroductionError("Write a short message saying who you are and why you ask.")
    if len(cleaned) > MESSAGE_LONGEST:
        raise IntroductionError(
            f"Keep the message to {MESSAGE_LONGEST} characters; it has {len(cleaned)}."
        )
    return cleaned


def _mine_url() -> str:
    return absolute_url(reverse("introductions:mine"))


def _notify(*, introduction: Introduction, recipient: User, template: str, **context: Any) -> None:
    message_enqueue(
        key=f"introduction:{introduction.pk}:{template}:{recipient.pk}",
        kind=MessageClass.SERVICE,
        recipient=recipient,
        template=template,
        context={"introductions_url": _mine_url(), **context},
    )


def _what_was_asked(introduction: Introduction) -> str:
    if introduction.kind == IntroductionKind.GROUP:
        assert introduction.group is not None
        return f"an introduction to {introduction.group.name}"
    assert introduction.skill is not None
    return f"someone offering {introduction.skill.name} near {introduction.district}"


# The contact a member shares ------------------------------------------------------------

_PHONE_PUNCTUATION = re.compile(r"[\s().-]")
_PHONE = re.compile(r"\+?[0-9]{10,15}")
PHONE_INVALID = "Enter a phone number of 10 to 15 digits, such as 07700 900123 or +44 7700 900123."


def phone_normalise(text: str) -> str:
    """The number without spaces, brackets or dashes; a UK number starting 0 has 11 digits."""
    compact = _PHONE_PUNCTUATION.sub("", text.strip())
    if not _PHONE.fullmatch(compact) or (compact.startswith("0") and len(compact) != 11):
        raise IntroductionError(PHONE_INVALID)
    return compact


def introduction_contact_set(*, member: User, method: str, phone: str = "") -> IntroductionContact:
    """Choose the contact detail accepted introductions show: email, or a phone number."""
    if method == ContactMethod.PHONE:
        phone = phone_normalise(phone)
    elif method == ContactMethod.EMAIL:
        phone = ""
    else:
        raise IntroductionError("Choose email or a phone number.")
    contact, _ = IntroductionContact.objects.update_or_create(
        member=member, defaults={"method": method, "phone": phone}
    )
    audit_record(
        actor=member,
        action="introductions.contact_set",
        target_type="member",
        target_id=member.pk,
        details={"method": method},
    )
    return contact


# Asking ------------------------------------------------------------------------------------


def _ask(asker: User, create: Any, audit_details: dict[str, DetailValue]) -> Introduction:
    """Run ``create`` in a transaction with the asker's row locked, so that two requests at
    once cannot both pass the count of open ones; a refusal is audited after the rollback."""
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=asker.pk).first()
            _need_consent(asker)
            open_count = Introduction.objects.filter(
                asker=asker, status=IntroductionStatus.OPEN
            ).count()
            if open_count >= OPEN_REQUESTS_MOST:
                raise TooManyOpenRequestsError()
            introduction: Introduction = create()
            return introduction
    except TooManyOpenRequestsError:
        _audit(asker, "ask_refused", None, reason="too_many_open", **audit_details)
        raise
    except ConsentRequiredError:
        _audit(asker, "ask_refused", None, reason="no_consent", **audit_details)
        raise


def introduction_ask_group(*, asker: User, group: Group, message: str) -> Introduction:
    """Ask the group's organisers for an introduction."""
    text = _clean_message(message)
    if member_is_organiser(asker, group):
        raise IntroductionError("You organise this group already.")

    def create() -> Introduction:
        try:
            with transaction.atomic():
                introduction = Introduction.objects.create(
                    asker=asker, kind=IntroductionKind.GROUP, group=group, message=text
                )
        except IntegrityError:
            raise IntroductionError(
                "You have already asked this group; its organisers have not answered yet."
            ) from None
        organisers = User.objects.filter(
            memberships__group=group, memberships__role=Role.ORGANISER, is_active=True
        )
        for organiser in organisers:
            _notify(
                introduction=introduction,
                recipient=organiser,
                template="introduction_requested",
                asker_name=asker.display_name,
                what=_what_was_asked(introduction),
            )
        _audit(asker, "ask", introduction, kind="group", group_id=group.pk)
        return introduction

    return _ask(asker, create, {"kind": "group", "group_id": group.pk})


def _matching_members(
    *, asker: User, skill: Skill, district: str, radius_km: int
) -> list[tuple[int, float]]:
    """(member id, distance) of up to ``MATCHES_MOST`` members, nearest first, who offer the
    skill within the radius and consent to introductions now."""
    near = districts_near(district, radius_km)
    rows = (
        members_consenting_to(ConsentPurpose.INTRODUCTIONS)
        .filter(skills=skill, postcode_district__in=list(near))
        .exclude(pk=asker.pk)
        .values_list("pk", "postcode_district")
    )
    ranked = sorted((near[place], pk) for pk, place in rows)
    return [(pk, distance) for distance, pk in ranked[:MATCHES_MOST]]


def district_for_matching(text: str) -> str:
    """The canonical district, if it is one whose place is known; otherwise a clear error."""
    try:
        district = normalise_postcode_district(text)
    except PostcodeDistrictError as error:
        raise IntroductionError(str(error)) from None
    if district_centroid(district) is None:
        raise IntroductionError(
            f"We do not know where the postcode district {district} is. Try a neighbouring one."
        )
    return district


def introduction_ask_skill(
    *, asker: User, skill: Skill, district: str, radius_km: int, message: str
) -> Introduction:
    """Ask the members who offer ``skill`` near ``district`` for an introduction.

    The request is made whether or not anyone matches: the asker is never told who was
    matched, nor how many, so that asking cannot be used to find out who lives where.
    """
    text = _clean_message(message)
    place = district_for_matching(district)
    if radius_km not in RADIUS_CHOICES_KM:
        raise IntroductionError("Choose one of the distances offered.")

    def create() -> Introduction:
        introduction = Introduction.objects.create(
            asker=asker,
            kind=IntroductionKind.SKILL,
            skill=skill,
            district=place,
            radius_km=radius_km,
            message=text,
        )
        matches = _matching_members(asker=asker, skill=skill, district=place, radius_km=radius_km)
        IntroductionMatch.objects.bulk_create(
            IntroductionMatch(introduction=introduction, member_id=pk, distance_km=distance)
            for pk, distance in matches
        )
        for member in User.objects.filter(pk__in=[pk for pk, _ in matches]):
            _notify(
                introduction=introduction,
                recipient=member,
                template="introduction_requested",
                asker_name=asker.display_name,
                what=_what_was_asked(introduction),
            )
        _audit(
            asker,
            "ask",
            introduction,
            kind="skill",
            skill=skill.slug,
            district=place,
            radius_km=radius_km,
            matched=len(matches),
        )
        return introduction

    return _ask(asker, create, {"kind": "skill", "skill": skill.slug, "district": place})


# Answering ---------------------------------------------------------------------------------


def _locked(introduction: Introduction) -> Introduction:
    # Only the introduction's own row is locked: its group and skill may be null (outer joins,
    # which PostgreSQL cannot lock).
    return (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("group", "skill", "asker")
        .get(pk=introduction.pk)
    )


def _pending_match(introduction: Introduction, member: User) -> IntroductionMatch | None:
    return (
        IntroductionMatch.objects.select_for_update()
        .filter(introduction=introduction, member=member, answer=MatchAnswer.PENDING)
        .first()
    )


def _may_answer(introduction: Introduction, member: User) -> IntroductionMatch | None:
    """The member's pending match (skill), None for an organiser of the group (group); anyone
    else is refused."""
    if introduction.kind == IntroductionKind.GROUP:
        assert introduction.group is not None
        if not member_is_organiser(member, introduction.group):
            raise IntroductionError("Only the group's organisers can answer this request.")
        return None
    match = _pending_match(introduction, member)
    if match is None:
        raise IntroductionError("This request is not waiting for your answer.")
    return match


@transaction.atomic
def introduction_accept(*, introduction: Introduction, member: User) -> Introduction:
    """Accept: each side now sees the other's chosen contact detail on the site."""
    locked = _locked(introduction)
    if locked.status != IntroductionStatus.OPEN:
        raise IntroductionError("This request has already been answered or withdrawn.")
    match = _may_answer(locked, member)
    _need_consent(member)
    if not member_has_consent(locked.asker, ConsentPurpose.INTRODUCTIONS):
        raise IntroductionError("The member who asked no longer wants introductions.")
    now = timezone.now()
    locked.status = IntroductionStatus.ACCEPTED
    locked.decided_by = member
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    if match is not None:
        match.answer = MatchAnswer.ACCEPTED
        match.answered_at = now
        match.save(update_fields=["answer", "answered_at"])
        # The others matched no longer see a request somebody has answered.
        locked.matches.filter(answer=MatchAnswer.PENDING).update(
            answer=MatchAnswer.CLOSED, answered_at=now
        )
    _notify(
        introduction=locked,
        recipient=locked.asker,
        template="introduction_accepted",
        other_name=member.display_name,
        what=_what_was_asked(locked),
    )
    _audit(member, "accept", locked, kind=locked.kind)
    return locked


@transaction.atomic
def introduction_decline(*, introduction: Introduction, member: User) -> Introduction:
    """Decline. An organiser declines for the group; a matched member declines for themselves
    only, and the request stays open for the others (the asker is not told)."""
    locked = _locked(introduction)
    if locked.status != IntroductionStatus.OPEN:
        raise IntroductionError("This request has already been answered or withdrawn.")
    match = _may_answer(locked, member)
    _need_consent(member)
    now = timezone.now()
    if match is not None:
        match.answer = MatchAnswer.DECLINED
        match.answered_at = now
        match.save(update_fields=["answer", "answered_at"])
        _audit(member, "decline_match", locked, kind=locked.kind)
        return locked
    locked.status = IntroductionStatus.DECLINED
    locked.decided_by = member
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _notify(
        introduction=locked,
        recipient=locked.asker,
        template="introduction_declined",
        what=_what_was_asked(locked),
    )
    _audit(member, "decline", locked, kind=locked.kind)
    return locked


def _is_other_side(introduction: Introduction, member: User) -> bool:
    """The member who accepted, or (for a group) any organiser of the group."""
    if introduction.decided_by_id == member.pk:
        return True
    return (
        introduction.kind == IntroductionKind.GROUP
        and introduction.group is not None
        and member_is_organiser(member, introduction.group)
    )


def _withdraw(locked: Introduction, member: User, *, reason: str) -> None:
    """Mark withdrawn, hide the request from members still matched, and tell the other side
    of an accepted introduction that the contact details are hidden again."""
    was_accepted = locked.status == IntroductionStatus.ACCEPTED
    now = timezone.now()
    locked.status = IntroductionStatus.WITHDRAWN
    locked.withdrawn_by = member
    locked.withdrawn_at = now
    locked.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
    locked.matches.filter(answer=MatchAnswer.PENDING).update(
        answer=MatchAnswer.CLOSED, answered_at=now
    )
    if was_accepted:
        others = [locked.asker] if member.pk != locked.asker_id else [locked.decided_by]
        for other in others:
            if other is not None:
                _notify(
                    introduction=locked,
                    recipient=other,
                    template="introduction_withdrawn",
                    what=_what_was_asked(locked),
                )
    _audit(member, "withdraw", locked, kind=locked.kind, reason=reason, was_accepted=was_accepted)


@transaction.atomic
def introduction_withdraw(*, introduction: Introduction, member: User) -> Introduction:
    """Either side withdraws: an open request is closed; an accepted introduction's contact
    details are hidden again from both sides."""
    locked = _locked(introduction)
    if locked.status not in (IntroductionStatus.OPEN, IntroductionStatus.ACCEPTED):
        raise IntroductionError("This introduction is already closed.")
    is_asker = locked.asker_id == member.pk
    if not is_asker and not (
        locked.status == IntroductionStatus.ACCEPTED and _is_other_side(locked, member)
    ):
        raise IntroductionError("Only the two sides of an introduction can withdraw it.")
    _withdraw(locked, member, reason="asked")
    return locked


@transaction.atomic
def introductions_close_without_consent(*, member: User) -> int:
    """Once the member has withdrawn their consent to introductions: their open requests and
    accepted introductions (as either side) are withdrawn, and requests waiting for their
    answer no longer reach them. Nothing happens while the consent stands. Returns how many
    introductions were withdrawn."""
    if member_has_consent(member, ConsentPurpose.INTRODUCTIONS):
        return 0
    now = timezone.now()
    IntroductionMatch.objects.filter(member=member, answer=MatchAnswer.PENDING).update(
        answer=MatchAnswer.CLOSED, answered_at=now
    )
    mine = Q(asker=member, status__in=[IntroductionStatus.OPEN, IntroductionStatus.ACCEPTED])
    return _withdraw_all(member, mine | _accepted_by(member), reason="consent_withdrawn")


@transaction.atomic
def introductions_close_for_erasure(*, member: User) -> int:
    """Before the member's account is erased: the introductions they accepted for someone else
    are withdrawn, and the askers told, since the contact detail they were shown goes with the
    account. (The member's own requests and matches go with the account.) Returns how many
    were withdrawn."""
    return _withdraw_all(member, _accepted_by(member), reason="account_erased")


def _accepted_by(member: User) -> Q:
    return Q(decided_by=member, status=IntroductionStatus.ACCEPTED)


def _withdraw_all(member: User, which: Q, *, reason: str) -> int:
    closing: Iterable[Introduction] = (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("group", "skill", "asker", "decided_by")
        .filter(which)
        .order_by("pk")
    )
    count = 0
    for introduction in closing:
        _withdraw(introduction, member, reason=reason)
        count += 1
    return count
