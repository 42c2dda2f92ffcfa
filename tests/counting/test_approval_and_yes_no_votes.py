"""Approval (k winners) and yes/no questions from CSV ballots, worked by hand."""

from decimal import Decimal

import pytest

from rankandfile.counting.approval import count_approval
from rankandfile.counting.blt import BallotFormatError
from rankandfile.counting.csvballots import YesNoBallots, parse_approval_csv, parse_yesno_csv
from rankandfile.counting.yesno import count_yesno

APPROVAL = "Ann,Bob,Cat,weight\n1,1,,1\nx,,,2\n,yes,1,1\n0,,1,1\n"


def test_approval_counts_every_approval_and_elects_the_top_k() -> None:
    # Ann 1 + 2 = 3, Bob 1 + 1 = 2, Cat 1 + 1 = 2.
    ballots = parse_approval_csv(APPROVAL)
    result = count_approval(ballots, winners=1, seed=1)
    assert result.stages[0].totals == {"Ann": 3, "Bob": 2, "Cat": 2}
    assert result.elected == ("Ann",)
    assert result.valid_votes == 5
    assert not result.tie_breaks


def test_approval_tie_for_the_last_place_is_drawn_by_recorded_lot() -> None:
    result = count_approval(parse_approval_csv(APPROVAL), winners=2, seed=5)
    assert result.elected[0] == "Ann"
    assert result.elected[1] in {"Bob", "Cat"}
    (tie,) = result.tie_breaks
    assert set(tie.tied) == {"Bob", "Cat"}
    assert "lot (seed 5)" in tie.reason
    assert count_approval(parse_approval_csv(APPROVAL), winners=2, seed=5).elected == (
        result.elected
    )


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 0, "empty file"),
        ("Ann,,Cat\n1,1,1\n", 1, "every column needs a candidate name"),
        ("Ann,Ann\n1,1\n", 1, "distinct"),
        ("Ann,Bob\n1,1\n1\n", 3, "expected 2 cells"),
        ("Ann,Bob\n1,maybe\n", 2, "must be 1/x/yes"),
        ("Ann,weight\n1,0\n", 2, "weight must be a positive whole number"),
    ],
)
def test_approval_csv_errors_name_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(BallotFormatError) as caught:
        parse_approval_csv(text)
    assert caught.value.line == line
    assert problem in str(caught.value)


def test_yes_no_csv_counts_yes_no_and_abstentions() -> None:
    ballots = parse_yesno_csv("Strike?\nyes\nY\nfor\nno\nabstain\n\nagainst\nA\n")
    assert ballots == YesNoBallots("Strike?", yes=3, no=2, abstain=2)


def test_yes_no_csv_error_names_the_line() -> None:
    with pytest.raises(BallotFormatError, match="line 3: vote must be yes, no or abstain"):
        parse_yesno_csv("vote\nyes\nperhaps\n")


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "quorum", "majority", "outcome"),
    [
        (6, 3, 5, 0, "simple", "carried"),
        (4, 4, 0, 0, "simple", "not carried"),  # a tie is not a majority
        (6, 3, 5, 0, "two-thirds", "carried"),  # exactly two thirds of 9 votes cast
        (5, 3, 0, 0, "two-thirds", "not carried"),  # 5 of 8 is under two thirds
        (6, 3, 5, 15, "simple", "inquorate"),  # 14 ballots returned
        (1, 0, 9, 10, "simple", "carried"),  # abstentions make the quorum, not the majority
        (0, 0, 9, 5, "two-thirds", "not carried"),
    ],
)
def test_yes_no_outcome_from_quorum_and_threshold(
    yes: int, no: int, abstain: int, quorum: int, majority: str, outcome: str
) -> None:
    result = count_yesno(
        YesNoBallots("Q", yes, no, abstain),
        quorum=quorum,
        majority=majority,  # type: ignore[arg-type]
    )
    assert result.outcome == outcome
    assert result.stages[0].totals == {
        "yes": Decimal(yes),
        "no": Decimal(no),
        "abstain": Decimal(abstain),
    }
    assert result.elected == (("yes",) if outcome == "carried" else ())
