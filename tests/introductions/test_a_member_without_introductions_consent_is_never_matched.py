"""Every step needs the introductions consent: a member without it is never matched, cannot
ask or accept, and withdrawing it closes their open requests and accepted introductions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Skill
from rankandfile.accounts.services import ConsentRequiredError, consent_give, consent_withdraw
from rankandfile.introductions.models import IntroductionMatch, IntroductionStatus, MatchAnswer
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_ask_skill,
)
from rankandfile.notifications.models import Message
from tests.introductions.conftest import MakeIntroducible
from tests.personas import MakeGroup, MakeMember

pytestmark = pytest.mark.django_db


def test_only_consenting_members_with_the_skill_nearby_are_matched(
    make_introducible: MakeIntroducible, make_member: MakeMember, skill: Skill
) -> None:
    consenting = make_introducible(skilled=True, district="LS6")
    without_consent = make_member(district="LS6")
    without_consent.skills.add(skill)
    withdrawn = make_introducible(skilled=True, district="LS2")
    consent_withdraw(member=withdrawn, purpose=ConsentPurpose.INTRODUCTIONS)
    far_away = make_introducible(skilled=True, district="M1")
    make_introducible(district="LS6")  # consents, nearby, without the skill
    asker = make_introducible(district="LS6")

    introduction = introduction_ask_skill(
        asker=asker, skill=skill, district="LS6", radius_km=10, message="Canvassing help?"
    )

    assert list(introduction.matches.values_list("member_id", flat=True)) == [consenting.pk]
    assert list(
        Message.objects.filter(template="introduction_requested").values_list(
            "recipient_id", flat=True
        )
    ) == [consenting.pk]
    assert not IntroductionMatch.objects.filter(
        member__in=[without_consent, withdrawn, far_away]
    ).exists()


def test_asking_and_accepting_need_the_consent(
    make_introducible: MakeIntroducible, make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)  # no consent to introductions
    group = make_group(organiser=organiser)
    without = make_member()
    with pytest.raises(ConsentRequiredError):
        introduction_ask_group(asker=without, group=group, message="Hello")

    asker = make_introducible()
    introduction = introduction_ask_group(asker=asker, group=group, message="Hello")
    with pytest.raises(ConsentRequiredError):
        introduction_accept(introduction=introduction, member=organiser)
    consent_give(member=organiser, purpose=ConsentPurpose.INTRODUCTIONS)
    assert introduction_accept(introduction=introduction, member=organiser).status == "accepted"


def test_withdrawing_the_consent_on_the_consents_page_closes_the_members_introductions(
    make_introducible: MakeIntroducible, make_group: MakeGroup, skill: Skill
) -> None:
    organiser = make_introducible(mfa=True)
    group = make_group(organiser=organiser)
    member = make_introducible(skilled=True, district="LS6")
    open_request = introduction_ask_group(asker=member, group=group, message="Hi")
    other_group = make_group(organiser=organiser)
    accepted = introduction_ask_group(asker=member, group=other_group, message="Hi again")
    introduction_accept(introduction=accepted, member=organiser)
    reaching_member = introduction_ask_skill(
        asker=make_introducible(), skill=skill, district="LS6", radius_km=5, message="Canvass?"
    )

    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("accounts:consent_change"),
        {"purpose": "introductions", "action": "withdraw", "confirmed": "yes"},
    )
    assert response.status_code == 302

    for introduction in (open_request, accepted):
        introduction.refresh_from_db()
        assert introduction.status == IntroductionStatus.WITHDRAWN
        assert introduction.withdrawn_by == member
    match = reaching_member.matches.get()
    assert match.member == member and match.answer == MatchAnswer.CLOSED
    assert member.email not in client.get(reverse("introductions:mine")).text
    # The request for a skill is still open for anyone else it may reach; not for this member.
    reaching_member.refresh_from_db()
    assert reaching_member.status == IntroductionStatus.OPEN


def test_a_withdrawn_consent_hides_contacts_at_once_even_before_the_introduction_closes(
    make_introducible: MakeIntroducible, make_group: MakeGroup
) -> None:
    organiser = make_introducible(mfa=True)
    asker = make_introducible()
    introduction = introduction_ask_group(
        asker=asker, group=make_group(organiser=organiser), message="Hi"
    )
    introduction_accept(introduction=introduction, member=organiser)
    client = Client()
    client.force_login(asker)
    assert organiser.email in client.get(reverse("introductions:mine")).text

    # Withdrawn by another way than the consents page (the admin, a script): no close yet.
    consent_withdraw(member=organiser, purpose=ConsentPurpose.INTRODUCTIONS)

    assert organiser.email not in client.get(reverse("introductions:mine")).text
