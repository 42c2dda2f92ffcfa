"""Passages of a text that an amendment changes, and word-level diffs. Imports nothing from
Django.

An amendment is stored as the whole text it proposes; what it *changes* is one passage of the
text it was written on: the characters between the longest common beginning and the longest
common end of the two texts, widened to whole words (:func:`change_between`). Two amendments
compete when their passages overlap (:func:`changes_overlap`): both cannot be applied. When an
amendment is accepted, every other amendment that does not overlap it is moved onto the new text
(:func:`change_rebase`); one that overlaps cannot be, and is outdated.

The word diff shown to members is Python's ``difflib.SequenceMatcher`` over word, space and
punctuation tokens (:func:`word_diff`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

DiffOp = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Change:
    """Replace ``base[start:end]`` with ``replacement``."""

    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]


def _at_word_boundary(text: str, at: int) -> bool:
    return at in (0, len(text)) or text[at - 1].isspace() or text[at].isspace()


def change_between(base: str, proposed: str) -> Change:
    """The one passage of ``base`` that ``proposed`` replaces, widened to whole words."""
    shortest = min(len(base), len(proposed))
    prefix = 0
    while prefix < shortest and base[prefix] == proposed[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and base[-1 - suffix] == proposed[-1 - suffix]:
        suffix += 1
    # Widen to word boundaries in the base: "cat" → "car" changes the word, not its last letter.
    while not _at_word_boundary(base, prefix):
        prefix -= 1
    while not _at_word_boundary(base, len(base) - suffix):
        suffix -= 1
    return Change(
        start=prefix, end=len(base) - suffix, replacement=proposed[prefix : len(proposed) - suffix]
    )


def changes_overlap(a: Change, b: Change) -> bool:
    """Whether two changes to the same text touch the same passage (so both cannot apply).

    Two insertions at the same point overlap (which comes first is a choice), and so does an
    insertion inside, or at either end of, the other's passage.
    """
    if a.start == a.end or b.start == b.end:
        insertion, other = (a, b) if a.start == a.end else (b, a)
        return other.start <= insertion.start <= other.end
    return max(a.start, b.start) < min(a.end, b.end)


def change_rebase(change: Change, *, over: Change) -> Change | None:
    """``change`` moved onto the text that ``over`` made from their common base; None when they
    overlap and it cannot be moved."""
    if changes_overlap(change, over):
        return None
    if change.end <= over.start:
        return change
    shift = len(over.replacement) - (over.end - over.start)
    return Change(change.start + shift, change.end + shift, change.replacement)


def changes_apply(text: str, changes: Iterable[Change]) -> tuple[str, list[Change]]:
    """Apply changes to one base text in the given order, skipping each that overlaps one
    already applied; returns the new text and the changes skipped."""
    applied: list[Change] = []
    skipped: list[Change] = []
    for change in changes:
        if any(changes_overlap(change, done) for done in applied):
            skipped.append(change)
        else:
            applied.append(change)
    # From the end of the text back, so that earlier offsets stay right.
    for change in sorted(applied, key=lambda c: (c.start, c.end), reverse=True):
        text = change.apply(text)
    return text, skipped


def word_diff(old: str, new: str) -> list[tuple[DiffOp, str]]:
    """The two texts as runs of kept, inserted and deleted text, word by word."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    runs: list[tuple[DiffOp, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[a1:a2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("delete", "".join(a[a1:a2])))
        if op in ("insert", "replace"):
            runs.append(("insert", "".join(b[b1:b2])))
    return runs
