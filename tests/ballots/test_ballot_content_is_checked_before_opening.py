"""What the count and the published bundle cannot carry is refused before a ballot opens, and a
ballot whose count fails anyway does not stop the clock from closing the others."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.ballots.models import Ballot, BallotState, Method, Question
from rankandfile.ballots.services import (
    BallotContentError,
    QuestionInput,
    ballot_cast,
    ballot_open,
    ballots_close_due,
)
from rankandfile.groups.models import Group
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup, login_with_second_factor

RANKED = "scottish-stv"


def _organiser(group: Group) -> User:
    return group.memberships.get().member


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("question", "refused"),
    [
        (
            QuestionInput(text='Adopt the "Fair Pay" slate?', method=RANKED, choices=["A", "B"]),
            "double quote",
        ),
        (
            QuestionInput(text="Committee", method=RANKED, choices=['Ann "Red" Lee', "Bob"]),
            "double quote",
        ),
        (
            QuestionInput(text="Committee", method="irv", choices=["Ann\tLee", "Bob"]),
            "control character",
        ),
        (QuestionInput(text="Strike\u2028now?", method="yesno"), "control character"),
        (
            QuestionInput(text="Banner", method="approval", choices=["Red\u202eder", "Black"]),
            "control character",
        ),
        (QuestionInput(text="x" * 501, method="yesno"), "longer than 500"),
    ],
)
def test_text_the_count_cannot_carry_is_refused_when_the_ballot_is_made(
    make_group: MakeGroup, question: QuestionInput, refused: str
) -> None:
    group = make_group()
    with pytest.raises(BallotContentError, match=refused):
        ballot_make(organiser=_organiser(group), group=group, questions=[question])
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_quotes_are_fine_where_the_csv_carries_them_and_a_control_character_in_the_title_is_not(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    ballot = ballot_make(
        organiser=_organiser(group),
        group=group,
        questions=[
            QuestionInput(text='Adopt the "Fair Pay" motion?', method="yesno"),
            QuestionInput(text="Banner", method="approval", choices=['"Red"', "Black"]),
        ],
    )
    assert ballot.questions.count() == 2
    with pytest.raises(BallotContentError, match="title"):
        ballot_make(organiser=_organiser(group), group=group, title="Vote\x1b[2J")


@pytest.mark.django_db
def test_the_form_shows_why_a_quote_in_a_ranked_question_is_refused(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group()
    login_with_second_factor(client, _organiser(group))
    response = client.post(
        reverse("ballots:create") + f"?group={group.slug}",
        {
            "title": "Committee election",
            "opens_at": "2098-01-01T10:00",
            "closes_at": "2099-01-01T10:00",
            "electorate": "members",
            "q1-text": 'The "new" committee',
            "q1-method": RANKED,
            "q1-choices": "Ann\nBob\nCat\n",
            "q1-seats": "2",
            "q1-threshold": "simple",
            **{f"q{n}-{k}": v for n in (2, 3) for k, v in _blank_question().items()},
        },
    )
    assert response.status_code == 400
    assert "cannot contain a straight double quote" in response.content.decode()
    assert not Ballot.objects.exists()


def _blank_question() -> dict[str, str]:
    return {"method": "yesno", "seats": "1", "threshold": "simple"}


@pytest.mark.django_db
def test_a_ballot_made_without_the_form_is_checked_again_when_it_opens(
    make_group: MakeGroup,
) -> None:
    group = make_group()
    now = timezone.now()
    ballot = Ballot.objects.create(
        group=group, title="Verdict", opens_at=now, closes_at=now + timedelta(days=1)
    )
    question = Question.objects.create(ballot=ballot, position=1, text="Who?", method=Method.IRV)
    question.choices.create(position=1, name='Ann "the Red"')
    question.choices.create(position=2, name="Bob")
    with pytest.raises(BallotContentError, match="double quote"):
        ballot_open(ballot=ballot)
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.DRAFT


@pytest.mark.django_db
def test_a_ballot_whose_count_fails_does_not_stop_the_clock_closing_the_others(
    make_group: MakeGroup, caplog: pytest.LogCaptureFixture
) -> None:
    group = make_group()
    organiser = _organiser(group)
    voters_make(group, 2)
    ranked = [QuestionInput(text="Committee", method=RANKED, choices=["Ann", "Bob", "Cat"])]
    broken = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=ranked))
    sound = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=ranked))
    for ballot in (broken, sound):
        ballot_cast(
            ballot=ballot, member=organiser, receipt_hash=receipt_hash(), answers={"1": [1]}
        )
    # Content that slipped past every check (written straight into the database): the BLT
    # writer cannot write it, so this ballot's count raises.
    Question.objects.filter(ballot=broken).update(text='The "new" committee')
    # The broken ballot is taken first.
    Ballot.objects.filter(pk=broken.pk).update(closes_at=sound.closes_at + timedelta(minutes=1))
    after = sound.closes_at + timedelta(minutes=2)

    with caplog.at_level(logging.ERROR, logger="rankandfile.ballots.services"):
        assert ballots_close_due(now=after) == 1
    assert Ballot.objects.get(pk=sound.pk).state == BallotState.PUBLISHED
    failed = Ballot.objects.get(pk=broken.pk)
    assert failed.state == BallotState.OPEN  # nothing of the failed close was kept
    assert failed.close_failed_at == after
    entry = AuditEntry.objects.get(action="ballot.close_failed")
    assert (entry.target_id, entry.details) == (str(broken.pk), {"error": "ValueError"})
    assert f"Ballot {broken.pk} could not be closed and counted" in caplog.text
    assert "new" not in caplog.text

    # Tried again at the next run, but audited only once.
    assert ballots_close_due(now=after + timedelta(minutes=1)) == 0
    assert AuditEntry.objects.filter(action="ballot.close_failed").count() == 1
