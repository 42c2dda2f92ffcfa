"""An organiser who answered other members' introduction requests erases their account: the
requests stay with the askers (they are theirs), naming nobody; an accepted one is withdrawn
and the asker told, since the contact it showed went with the account."""

from __future__ import annotations

import pytest

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.groups.models import Membership, Role
from rankandfile.introductions.models import Introduction, IntroductionStatus
from rankandfile.introductions.selectors import introductions_asked
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_decline,
)
from rankandfile.notifications.models import Message
from rankandfile.privacy.erasure import account_erase
from tests.personas import MakeGroup, MakeMember

WITH_INTRODUCTIONS = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)


@pytest.mark.django_db
def test_erasing_an_answerer_keeps_the_askers_introductions(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    answerer = make_member(mfa=True, consents=WITH_INTRODUCTIONS, display_name="Ana Answerer")
    group = make_group(organiser=answerer)
    Membership.objects.create(group=group, member=make_member(mfa=True), role=Role.ORGANISER)
    accepted_asker = make_member(consents=WITH_INTRODUCTIONS)
    declined_asker = make_member(consents=WITH_INTRODUCTIONS)
    accepted = introduction_ask_group(asker=accepted_asker, group=group, message="Hello there.")
    declined = introduction_ask_group(asker=declined_asker, group=group, message="Hi.")
    introduction_accept(introduction=accepted, member=answerer)
    introduction_decline(introduction=declined, member=answerer)
    [row] = introductions_asked(accepted_asker)
    assert row.contact is not None and "Ana Answerer" in row.other_name

    account_erase(member=answerer, delete_contributions=False)

    accepted.refresh_from_db()
    declined.refresh_from_db()
    assert accepted.status == IntroductionStatus.WITHDRAWN
    assert (accepted.decided_by_id, accepted.withdrawn_by_id) == (None, None)
    assert declined.status == IntroductionStatus.DECLINED
    assert declined.decided_by_id is None and declined.decided_at is not None
    assert not Introduction.objects.filter(decided_by_id=answerer.pk).exists()
    [row] = introductions_asked(accepted_asker)
    assert (row.status_label, row.other_name, row.contact) == ("Withdrawn", "", None)
    [row] = introductions_asked(declined_asker)
    assert row.status_label == "Declined"
    told = Message.objects.filter(recipient=accepted_asker, template="introduction_withdrawn")
    assert told.count() == 1
