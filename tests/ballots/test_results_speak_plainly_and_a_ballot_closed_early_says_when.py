"""The results page speaks to people: a yes/no question as a bar with its figures and whether
the quorum and the majority were met (and no talk of a quorum when none was set), STV votes to
two decimal places with the full figures one click away, plain names of the methods with their
rule text folded under them, chart labels as HTML text, and a ballot closed early says when it
closed rather than its old planned date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from rankandfile.ballots.services import QuestionInput, ballot_cast, ballot_close, ballot_open
from tests.ballots.ballot_helpers import ballot_make, receipt_hash, voters_make
from tests.personas import MakeGroup

QUESTIONS = [
    QuestionInput(text="Strike on 1 May?", method="yesno"),
    QuestionInput(text="Affiliate to the federation?", method="yesno", quorum=10),
    QuestionInput(text="Chair", method="scottish-stv", choices=["Ann", "Bob", "Cat"]),
]
PAPERS = [
    {"1": "yes", "2": "yes", "3": [1, 2]},
    {"1": "yes", "2": "no", "3": [1]},
    {"1": "no", "2": "no", "3": [2, 3]},
    {"1": "abstain", "2": "abstain", "3": [3, 2]},
]


def _shown(moment: object) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_results_of_a_ballot_closed_early_speak_plainly(
    client: Client, make_group: MakeGroup
) -> None:
    group = make_group(visibility="public")
    organiser = group.memberships.get().member
    voters = voters_make(group, 4)
    ballot = ballot_open(
        ballot=ballot_make(organiser=organiser, group=group, questions=QUESTIONS, hours_open=72)
    )
    for voter, answers in zip(voters, PAPERS, strict=True):
        ballot_cast(ballot=ballot, member=voter, receipt_hash=receipt_hash(), answers=answers)
    ballot = ballot_close(ballot=ballot, actor=organiser)
    assert ballot.closed_at is not None and ballot.closed_at < ballot.closes_at

    page = client.get(reverse("ballots:results", args=[ballot.pk]))
    html = page.content.decode()
    assert page.status_code == 200

    # Closed early: the page says when, and that it was due later.
    closed = f"voting closed {_shown(ballot.closed_at)}, early (it was due to close "
    assert closed + f"{_shown(ballot.closes_at)})" in html

    # A yes/no question without a quorum: a bar, the figures, the majority, no quorum of 0.
    assert "quorum of 0" not in html.lower()
    assert "No quorum was set: 4 ballots returned." in html
    assert 'class="bar-yes"' in html
    assert "Yes: 2 (66.7%)" in html and "No: 1 (33.3%)" in html and "Abstain: 1" in html
    assert "<strong>Carried.</strong>" in html
    assert "Majority met: more yes than no was needed." in html
    # One with a quorum that was not met.
    assert "Quorum not met: 4 ballots returned, 10 needed." in html
    assert "Not decided: too few ballots were returned to meet the quorum" in html
    # No yes/no question is shown as a one-stage count table.
    assert 'id="stages-1"' not in html and 'id="stages-2"' not in html

    # The STV question: a plain name, the rule one click away, two decimals, full figures.
    assert "<summary>Single transferable vote (Scottish rules): how this was counted" in html
    assert "Rule: Scottish STV (SSI 2007/42" in html
    stages = html[html.index('id="stages-3"') : html.index('id="full-stages-3"')]
    assert '<td class="num">2.00</td>' in stages and "2.00000" not in stages
    full = html[html.index('id="full-stages-3"') :]
    assert '<td class="num">2.00000</td>' in full
    assert "<summary>Full figures, as counted</summary>" in html
    # Chart labels are HTML text (readable at any width), not text drawn inside the SVG.
    assert '<span class="chart-name">Ann <span class="meta">' in html
    assert "<text" not in html

    # The ballot's own page and the list say when it closed, not the old planned date.
    detail = client.get(ballot.get_absolute_url()).content.decode()
    assert f"closed {_shown(ballot.closed_at)}, closed early by an organiser" in detail
    assert f"Voting opens {_shown(ballot.opens_at)}" not in detail


@pytest.mark.django_db
def test_a_ballot_closed_on_time_says_nothing_of_closing_early(make_group: MakeGroup) -> None:
    group = make_group(visibility="public")
    organiser = group.memberships.get().member
    voters = voters_make(group, 1)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, questions=QUESTIONS))
    ballot_cast(ballot=ballot, member=voters[0], receipt_hash=receipt_hash(), answers=PAPERS[0])
    ballot = ballot_close(ballot=ballot, actor=None, now=ballot.closes_at + timedelta(minutes=1))
    html = Client().get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert f"voting closed {_shown(ballot.closed_at)}</p>" in html
    assert "early" not in html
