"""An organiser cannot save a ballot whose opening or closing time has passed: the clock would
open it at once, or it could never open at all. The form says so beside the field, and the
service refuses it for any other caller acting for a member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import (
    BallotError,
    QuestionInput,
    ballot_create,
    ballot_update,
)
from tests.ballots.ballot_helpers import ballot_make
from tests.personas import MakeGroup, login_with_second_factor

QUESTIONS = [QuestionInput(text="Strike on 1 May?", method="yesno")]


def _local(moment: object) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_form_refuses_opening_and_closing_times_in_the_past_beside_each_field(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group()
    login_with_second_factor(client, group.memberships.get().member)
    now = timezone.now()
    form = {
        "title": "Strike ballot",
        "opens_at": _local(now - timedelta(days=2)),
        "closes_at": _local(now - timedelta(days=1)),
        "electorate": "members",
        "q1-text": "Strike on 1 May?",
        "q1-method": "yesno",
        "q1-seats": "1",
        "q1-threshold": "simple",
    }
    refused = client.post(reverse("ballots:create") + f"?group={group.slug}", form)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Voting cannot open in the past" in html
    assert "Voting cannot close in the past" in html
    assert 'href="#id_opens_at"' in html and 'id="id_opens_at_error"' in html
    assert 'href="#id_closes_at"' in html
    assert not Ballot.objects.exists()

    # An opening time typed as "now" (to the minute) is fine, and so is any future time.
    saved = client.post(
        reverse("ballots:create") + f"?group={group.slug}",
        {**form, "opens_at": _local(now), "closes_at": _local(now + timedelta(days=1))},
    )
    assert saved.status_code == 302
    assert Ballot.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_past_times_for_members_but_not_for_the_platform(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    now = timezone.now()
    with pytest.raises(BallotError, match="cannot open in the past"):
        ballot_create(
            creator=organiser,
            group=group,
            title="Late",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            questions=QUESTIONS,
        )
    with pytest.raises(BallotError, match="cannot close in the past"):
        ballot_create(
            creator=organiser,
            group=group,
            title="Late",
            opens_at=now - timedelta(days=3),
            closes_at=now - timedelta(days=2),
            questions=QUESTIONS,
        )
    draft = ballot_make(organiser=organiser, group=group)
    with pytest.raises(BallotError, match="cannot close in the past"):
        ballot_update(
            ballot=draft,
            actor=organiser,
            title=draft.title,
            opens_at=now,
            closes_at=now - timedelta(minutes=1),
            questions=QUESTIONS,
        )
    # A ballot the platform opens (a campaign's verdict, at a deadline the clock may reach
    # late) keeps the times it is given.
    verdict = ballot_create(
        creator=None,
        group=group,
        title="Verdict",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        questions=QUESTIONS,
    )
    assert verdict.opens_at == now - timedelta(hours=1)
