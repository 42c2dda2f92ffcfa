"""Small conversations whose map can be worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rankandfile.opinions.maths import (
    opinion_map,
    priority,
    prop_test,
    two_prop_test,
    vote_matrix,
)


def two_camps() -> list[tuple[int, int, int]]:
    """Participants 0-9 agree with statements 0-4 and disagree with 5-9; 10-19 the reverse."""
    return [(p, s, 1 if (p < 10) == (s < 5) else -1) for p in range(20) for s in range(10)]


def test_no_votes_make_an_empty_map() -> None:
    result = opinion_map([])

    assert result.groups == {}
    assert result.consensus.agree == () and result.consensus.disagree == ()
    assert result.repness == {}


def test_two_camps_become_two_groups_each_represented_by_what_it_agrees_with() -> None:
    result = opinion_map(two_camps(), moderated_out={3})

    assert {result.groups[p] for p in range(10)} == {result.groups[0]}
    assert {result.groups[p] for p in range(10, 20)} == {result.groups[10]}
    assert result.groups[0] != result.groups[10]
    first = result.repness[result.groups[0]]
    assert 1 <= len(first) <= 5
    for chosen in first:
        assert chosen.statement != 3, "a moderated-out statement never represents a group"
        assert chosen.direction == ("agree" if chosen.statement < 5 else "disagree")
    directions = [chosen.direction for chosen in first]
    assert directions == sorted(directions), "agrees come before disagrees"
    assert result.consensus.agree == () and result.consensus.disagree == ()


def test_a_statement_everyone_agrees_with_is_consensus_unless_moderated_out() -> None:
    votes = [*two_camps(), *[(p, 10, 1) for p in range(20)], *[(p, 11, 1) for p in range(20)]]

    result = opinion_map(votes, moderated_out={11})

    assert result.consensus.agree == (10,)
    # Each camp agrees unanimously: (10 + 1) / (10 + 2) in each group, multiplied.
    assert result.group_informed_consensus[10] == (11 / 12) * (11 / 12)


def test_the_proportion_tests_follow_polis_stats() -> None:
    # stats.clj prop-test: 2 sqrt(n + 1) ((k + 1) / (n + 1) - 1/2).
    assert math.isclose(prop_test(np.array([3.0]), np.array([4.0]))[0], 2 * math.sqrt(5) * 0.3)
    # two-prop-test with pseudocounts; 0 when the pooled proportion is 1.
    found = two_prop_test(np.array([4.0]), np.array([1.0]), np.array([4.0]), np.array([4.0]))
    pi1, pi2, pooled = 5 / 5, 2 / 5, 7 / 10
    expected = (pi1 - pi2) / math.sqrt(pooled * (1 - pooled) * (1 / 5 + 1 / 5))
    assert math.isclose(found[0], expected)
    everyone = two_prop_test(np.array([4.0]), np.array([4.0]), np.array([4.0]), np.array([4.0]))
    assert everyone[0] == 0.0


def test_routing_priority_follows_polis_and_puts_meta_statements_first() -> None:
    # Statement 0: 3 agree, 1 disagree, 1 pass among the 5 grouped voters.
    votes = [(1, 0, 1), (2, 0, 1), (3, 0, 1), (4, 0, -1), (5, 0, 0), (1, 1, 1)]
    matrix = vote_matrix(votes)
    grouped = np.zeros(5, dtype=np.int64)

    found = priority(matrix, grouped, np.zeros(2), meta={1})

    agree, passes, seen = 3, 1, 5
    p, a = (passes + 1) / (seen + 2), (agree + 1) / (seen + 2)
    expected = ((1 - p) * a * (1 + 8 * 2 ** (seen / -5))) ** 2
    assert math.isclose(found[0], expected)
    assert found[1] == 49.0


def test_a_later_vote_replaces_an_earlier_one_and_a_bad_vote_is_refused() -> None:
    matrix = vote_matrix([(7, 1, 1), (7, 1, -1), (8, 1, 0)])

    assert matrix.participants == (7, 8)
    assert matrix.disagree.toarray().tolist() == [[1], [0]]
    assert matrix.agree.toarray().tolist() == [[0], [0]]
    assert matrix.seen.toarray().tolist() == [[1], [1]]
    with pytest.raises(ValueError, match="-1, 0 or 1"):
        vote_matrix([(7, 1, 2)])
