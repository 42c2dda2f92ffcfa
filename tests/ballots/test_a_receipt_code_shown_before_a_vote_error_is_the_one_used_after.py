"""A vote form that comes back with a problem keeps the receipt the voter was shown: the page
returns the answers and the error summary in place (ballot.js swaps only #vote-answers and
#vote-problems), the hash sent stays in the form, and fixing the problem casts the ballot under
that same receipt, which then finds it. Only a receipt the box refuses (already in use) is
replaced, and the page is told so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.ballots.models import BallotPaper, RollEntry
from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_open
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import ballot_make, receipt_new
from tests.personas import MakeGroup, MakeMember

QUESTIONS = [
    QuestionInput(text="Committee", method="scottish-stv", choices=["Ann", "Bob", "Cat"], seats=2),
    QuestionInput(text="Strike on 1 May?", method="yesno"),
]


@pytest.mark.django_db
def test_the_receipt_shown_before_an_error_is_the_one_the_fixed_ballot_is_cast_under(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    voter = make_member()
    group_join(group=group, member=voter)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=QUESTIONS))
    client.force_login(voter)
    vote_url = reverse("ballots:vote", args=[ballot.pk])
    code, shown_hash = receipt_new()

    # Ranks with a gap, and no answer to the yes/no question.
    wrong = client.post(vote_url, {"receipt_hash": shown_hash, "q1_c1": "1", "q1_c3": "3"})
    html = wrong.content.decode()
    assert wrong.status_code == 400
    assert '<div id="vote-problems">' in html and "data-error-summary" in html
    assert '<div id="vote-answers">' in html and "data-receipt-refused" not in html
    assert f'name="receipt_hash" value="{shown_hash}"' in html
    assert 'value="3"' in html  # the answers come back as they were sent
    assert not BallotPaper.objects.exists()
    assert not RollEntry.objects.get(member=voter).has_voted

    # Sent by the page itself (ballot.js), the same answer comes back as a page that loaded.
    in_place = client.post(
        vote_url,
        {"receipt_hash": shown_hash, "q1_c1": "1", "q1_c3": "3"},
        headers={"X-Ballot-In-Place": "1"},
    )
    assert in_place.status_code == 200
    assert "data-error-summary" in in_place.content.decode()
    assert not BallotPaper.objects.exists()

    fixed = client.post(
        vote_url, {"receipt_hash": shown_hash, "q1_c1": "1", "q1_c3": "2", "q2": "no"}
    )
    assert fixed["Location"] == reverse("ballots:voted", args=[ballot.pk])
    paper = BallotPaper.objects.get()
    assert paper.receipt_hash == shown_hash
    found = client.post(reverse("ballots:receipt", args=[ballot.pk]), {"code": code})
    assert "Your ballot is in the box" in found.content.decode()


@pytest.mark.django_db
def test_a_receipt_already_in_the_box_comes_back_marked_for_a_new_code(
    client: Client, make_group: MakeGroup, make_member: MakeMember
) -> None:
    group = make_group()
    organiser = group.memberships.get().member
    first, second = make_member(), make_member()
    group_join(group=group, member=first)
    group_join(group=group, member=second)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=QUESTIONS))
    _, used = receipt_new()
    ballot_cast(ballot=ballot, member=first, receipt_hash=used, answers={"1": [1], "2": "yes"})

    client.force_login(second)
    again = client.post(
        reverse("ballots:vote", args=[ballot.pk]), {"receipt_hash": used, "q1_c2": "1", "q2": "no"}
    )
    html = again.content.decode()
    assert again.status_code == 400
    assert '<div id="vote-answers" data-receipt-refused>' in html
    assert "That receipt code is already in use" in html
    assert BallotPaper.objects.count() == 1
    assert not RollEntry.objects.get(member=second).has_voted
