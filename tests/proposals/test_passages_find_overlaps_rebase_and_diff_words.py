"""passages.py, pure: the passage an amendment changes, overlaps, rebasing and word diffs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rankandfile.proposals.passages import (
    Change,
    change_between,
    change_rebase,
    changes_apply,
    changes_overlap,
    word_diff,
)

BASE = "We call on the council to build homes. We ask for rent control."


def test_the_changed_passage_is_widened_to_whole_words() -> None:
    assert change_between("the cat sat", "the car sat") == Change(4, 7, "car")
    assert change_between(BASE, BASE.replace("build", "build new")) == Change(32, 32, "new ")
    assert change_between("old", "") == Change(0, 3, "")
    assert change_between("", "new") == Change(0, 0, "new")


def test_overlaps_include_insertions_at_the_same_point_or_inside() -> None:
    assert changes_overlap(Change(0, 5, "x"), Change(3, 8, "y"))
    assert not changes_overlap(Change(0, 5, "x"), Change(5, 8, "y"))
    assert changes_overlap(Change(4, 4, "x"), Change(4, 4, "y"))
    assert changes_overlap(Change(4, 4, "x"), Change(2, 6, "y"))
    assert not changes_overlap(Change(4, 4, "x"), Change(5, 6, "y"))


def test_a_later_change_moves_by_the_length_the_earlier_one_added() -> None:
    earlier = change_between(BASE, BASE.replace("homes", "council homes"))
    later = change_between(BASE, BASE.replace("rent control", "a rent freeze"))
    moved = change_rebase(later, over=earlier)
    assert moved is not None
    assert moved.apply(earlier.apply(BASE)) == BASE.replace("homes", "council homes").replace(
        "rent control", "a rent freeze"
    )
    assert change_rebase(earlier, over=earlier) is None


def test_the_word_diff_marks_whole_words() -> None:
    runs = word_diff("build 500 homes", "build 1,000 homes now")
    assert runs == [
        ("equal", "build "),
        ("delete", "500"),
        ("insert", "1,000"),
        ("equal", " homes"),
        ("insert", " now"),
    ]


words = st.lists(st.sampled_from(["homes", "rent", "council", "now", "we", "ask"]), max_size=12)


@given(words, words, words)
def test_non_overlapping_changes_apply_in_either_order(
    base_words: list[str], first_words: list[str], second_words: list[str]
) -> None:
    base = " ".join(base_words)
    first = change_between(base, " ".join(first_words))
    second = change_between(base, " ".join(second_words))
    together, skipped = changes_apply(base, [first, second])
    if changes_overlap(first, second):
        assert skipped == [second] and together == first.apply(base)
        assert change_rebase(second, over=first) is None
        return
    assert skipped == []
    moved = change_rebase(second, over=first)
    assert moved is not None
    assert moved.apply(first.apply(base)) == together
    moved_back = change_rebase(first, over=second)
    assert moved_back is not None
    assert moved_back.apply(second.apply(base)) == together


@given(st.text(max_size=40), st.text(max_size=40))
def test_the_change_between_two_texts_makes_the_second_from_the_first(a: str, b: str) -> None:
    change = change_between(a, b)
    assert change.apply(a) == b
    new = "".join(text for op, text in word_diff(a, b) if op != "delete")
    old = "".join(text for op, text in word_diff(a, b) if op != "insert")
    assert (old, new) == (a, b)
