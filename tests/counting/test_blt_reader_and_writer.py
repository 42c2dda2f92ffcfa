"""BLT: reading the format and its extensions, every error with its line, and round trips."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rankandfile.counting.blt import BallotFormatError, Election, parse_blt, write_blt

GOOD = """# a comment before the header
4 2
-3            # candidate 3 withdrew
3 1 2 0
2 2 1 4 0
1 3 0
1 1 2 0
0
"Ann Smith"
Bob Jones
"Cat # not a comment"
"Dee"
"Committee 2026"
"""


def test_reads_counts_names_title_withdrawn_and_groups_identical_rankings() -> None:
    election = parse_blt(GOOD)
    assert election.candidates == ("Ann Smith", "Bob Jones", "Cat # not a comment", "Dee")
    assert election.seats == 2
    assert election.withdrawn == frozenset({2})
    assert election.title == "Committee 2026"
    assert election.ballots == {(0, 1): 4, (1, 0, 3): 2, (2,): 1}
    assert election.ballot_count == 7


def test_withdrawn_candidates_are_struck_out_before_counting() -> None:
    assert parse_blt(GOOD).rankings_for_count() == {(0, 1): 4, (1, 0, 3): 2}


def test_reads_files_without_quotes_title_or_trailing_newline() -> None:
    election = parse_blt("2 1\n1 1 2 0\n0\nAnn\nBob")
    assert election.candidates == ("Ann", "Bob")
    assert election.title == ""


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 0, "empty file"),
        ("3\n", 1, "header must be"),
        ("x 1\n", 1, "number of candidates must be a whole number"),
        ("0 1\n0\n", 1, "at least 1"),
        ("2 0\n0\n", 1, "seats must be at least 1"),
        ("2 1\n-3\n0\nA\nB\n", 2, "withdrawn candidate must be -1 to -2"),
        ("2 1\n1 1 2\n0\nA\nB\n", 2, "ballot must end with 0"),
        ("2 1\n1 1 3 0\n0\nA\nB\n", 2, "candidate number must be 1 to 2, got 3"),
        ("2 1\n1 1 1 0\n0\nA\nB\n", 2, "candidate 1 is ranked twice"),
        ("2 1\n1 1=2 0\n0\nA\nB\n", 2, "equal rankings"),
        ("2 1\n1 1 0\n2 2 = 1 0\n0\nA\nB\n", 3, "equal rankings"),
        ("2 1\n-1 1 0\n0\nA\nB\n", 2, "withdrawn candidate must be -1 to -2, got 1"),
        ("2 1\n-x\n0\nA\nB\n", 2, "withdrawn candidate must be a whole number"),
        ('2 1\n1 1 0\n0\n"A" B\nB\n', 4, "unexpected text after the quoted name"),
        ("2 1\n-x\n0\nA\nB\n", 2, "withdrawn candidate must be a whole number"),
        ("2 1\n0 1 0\n0\nA\nB\n", 2, "ballot weight must be positive"),
        ("2 1\nx 1 0\n0\nA\nB\n", 2, "ballot weight must be a whole number"),
        ("2 1\n1 a 0\n0\nA\nB\n", 2, "candidate number must be a whole number"),
        ("2 1\n1 1 0\n", 2, "ballots must end with a line '0'"),
        ("2 1\n1 1 0\n0\nA\n", 4, "expected 2 candidate names"),
        ("2 1\n1 1 0\n0\nA\nA\n", 5, "distinct"),
        ('2 1\n1 1 0\n0\n"A\nB\n', 4, "unterminated quoted name"),
        ("2 1\n1 1 0\n0\nA\nB\nTitle\nmore\n", 7, "unexpected text after the title"),
    ],
)
def test_malformed_input_names_the_line_and_the_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(BallotFormatError) as caught:
        parse_blt(text)
    assert caught.value.line == line
    assert problem in str(caught.value)
    if line:
        assert str(caught.value).startswith(f"line {line}: ")


def test_write_then_read_gives_the_same_election() -> None:
    election = parse_blt(GOOD)
    assert parse_blt(write_blt(election)) == election


def test_writer_refuses_names_it_cannot_quote() -> None:
    election = Election(('Say "hi"', "B"), 1, {(0,): 1})
    with pytest.raises(ValueError, match="quote"):
        write_blt(election)


names = (
    st.text(
        alphabet=st.characters(
            blacklist_characters='"\n\r#', blacklist_categories=("Cs", "Zl", "Zp")
        ),
        min_size=1,
        max_size=8,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    candidates = tuple(draw(st.lists(names, min_size=1, max_size=6, unique=True)))
    n = len(candidates)
    rankings = draw(
        st.dictionaries(
            st.permutations(range(n)).flatmap(
                lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
            ),
            st.integers(1, 50),
            max_size=8,
        )
    )
    withdrawn = draw(st.frozensets(st.integers(0, n - 1), max_size=n - 1))
    title = draw(st.one_of(st.just(""), names))
    return Election(candidates, draw(st.integers(1, n)), rankings, withdrawn, title)


@settings(max_examples=60, deadline=None)
@given(elections())
def test_round_trip_write_read_preserves_any_election(election: Election) -> None:
    assert parse_blt(write_blt(election)) == election
