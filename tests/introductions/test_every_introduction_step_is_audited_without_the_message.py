"""Asking, accepting, declining, withdrawing, closing on a withdrawn consent and choosing the
contact to share are each recorded in the audit log, and no entry holds the message's text or
a contact detail."""

from __future__ import annotations

import json

import pytest

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Skill
from rankandfile.audit.models import AuditEntry
from rankandfile.groups.services import member_consent_withdraw
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_ask_skill,
    introduction_contact_set,
    introduction_decline,
    introduction_withdraw,
    introductions_close_without_consent,
)
from tests.introductions.conftest import MakeIntroducible
from tests.personas import MakeGroup

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "My landlord at 12 Cardigan Road is threatening me"


def test_every_step_is_audited_and_no_entry_holds_the_message_or_a_contact(
    make_introducible: MakeIntroducible, make_group: MakeGroup, skill: Skill
) -> None:
    organiser = make_introducible(mfa=True)
    introduction_contact_set(member=organiser, method="phone", phone="+44 7700 900123")
    group = make_group(organiser=organiser)
    asker = make_introducible()
    declined = introduction_ask_group(asker=asker, group=group, message=SECRET_MESSAGE)
    introduction_decline(introduction=declined, member=organiser)
    accepted = introduction_ask_group(asker=asker, group=group, message=SECRET_MESSAGE)
    introduction_accept(introduction=accepted, member=organiser)
    introduction_withdraw(introduction=accepted, member=organiser)
    matched = make_introducible(skilled=True, district="LS6")
    other = make_introducible(skilled=True, district="LS6")
    for_skill = introduction_ask_skill(
        asker=asker, skill=skill, district="LS6", radius_km=5, message=SECRET_MESSAGE
    )
    introduction_decline(introduction=for_skill, member=other)
    introduction_accept(introduction=for_skill, member=matched)
    member_consent_withdraw(member=asker, purpose=ConsentPurpose.INTRODUCTIONS)
    introductions_close_without_consent(member=asker)

    entries = list(AuditEntry.objects.filter(action__startswith="introductions.").order_by("pk"))
    assert [(e.action, e.target_id, e.actor_id) for e in entries] == [
        ("introductions.contact_set", str(organiser.pk), organiser.pk),
        ("introductions.ask", str(declined.pk), asker.pk),
        ("introductions.decline", str(declined.pk), organiser.pk),
        ("introductions.ask", str(accepted.pk), asker.pk),
        ("introductions.accept", str(accepted.pk), organiser.pk),
        ("introductions.withdraw", str(accepted.pk), organiser.pk),
        ("introductions.ask", str(for_skill.pk), asker.pk),
        ("introductions.decline_match", str(for_skill.pk), other.pk),
        ("introductions.accept", str(for_skill.pk), matched.pk),
        ("introductions.withdraw", str(for_skill.pk), asker.pk),
    ]
    assert entries[6].details["matched"] == 2
    assert entries[-1].details["reason"] == "consent_withdrawn"
    logged = json.dumps([e.details for e in entries])
    assert "landlord" not in logged and "Cardigan" not in logged
    assert "7700" not in logged and "@" not in logged
