"""Ballot groups as numpy arrays, for counts that move whole parcels of identical papers.

A ranking matrix has one row per group of identical ballots and one column per preference, padded
with the sentinel ``n_candidates`` (which also stands for "exhausted"). All arithmetic on votes is
in int64: no float ever touches a total.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def rankings_to_arrays(
    rankings: Mapping[tuple[int, ...], int], n_candidates: int
) -> tuple[npt.NDArray[np.int16], IntArray]:
    """Grouped rankings to (matrix padded with ``n_candidates``, counts)."""
    width = max((len(r) for r in rankings), default=0) + 1
    matrix = np.full((len(rankings), width), n_candidates, dtype=np.int16)
    counts = np.zeros(len(rankings), dtype=np.int64)
    for row, (ranking, count) in enumerate(rankings.items()):
        matrix[row, : len(ranking)] = ranking
        counts[row] = count
    return matrix, counts


def _exact_key_columns(base: int) -> int:
    """How many base-``base`` digits an int64 holds exactly."""
    digits = 0
    while base ** (digits + 1) < 2**63:
        digits += 1
    return digits


def group_identical_rows(
    matrix: npt.NDArray[np.integer], counts: IntArray | None, sentinel: int
) -> tuple[npt.NDArray[np.integer], IntArray]:
    """Merge identical rows of a padded ranking matrix, summing their counts (1 each if None).

    Rows that end within the first ``d`` columns (nearly all of them) are encoded exactly as one
    int64 in base ``sentinel + 1`` and grouped with a plain sort, which is several times faster
    than sorting whole rows; the few longer rows are grouped by their raw bytes.
    """
    matrix = np.ascontiguousarray(matrix)
    rows, width = matrix.shape
    if rows == 0:
        return matrix, np.zeros(0, dtype=np.int64)
    if matrix.dtype.itemsize == 1 and width > 8 and 0 <= sentinel < 128:
        return _group_bytes_first(matrix, counts, sentinel)
    base = sentinel + 1
    digits = min(_exact_key_columns(base), width)
    columns = matrix[:, :digits].T.copy()
    keys = columns[0].astype(np.int64)
    for column in columns[1:]:
        keys *= base
        keys += column
    if width > digits:
        # Keys of rows longer than ``digits`` are truncated, so those rows are grouped apart.
        short = matrix[:, digits] == sentinel
        if not short.all():
            long_rows = ~short
            first = _group_by_key(keys[short], _subset(counts, short), matrix, base, digits)
            second = _group_by_bytes(matrix[long_rows], _subset(counts, long_rows))
            return np.vstack([first[0], second[0]]), np.concatenate([first[1], second[1]])
    return _group_by_key(keys, counts, matrix, base, digits)


def _group_bytes_first(
    matrix: npt.NDArray[np.integer], counts: IntArray | None, sentinel: int
) -> tuple[npt.NDArray[np.integer], IntArray]:
    """One-byte rankings: a row of at most 7 preferences is its first 8 bytes, read as a uint64.

    That covers most ballots with no arithmetic at all; the longer rows take the general path.
    """
    rows, width = matrix.shape
    head = np.ndarray((rows,), dtype="<u8", buffer=matrix.data, strides=(width,)).copy()
    short = matrix[:, 7] == sentinel
    unique, grouped = _unique_keys(head[short], _subset(counts, short))
    out = np.full((len(unique), width), sentinel, dtype=matrix.dtype)
    out[:, :8] = unique.astype("<u8").view(matrix.dtype).reshape(-1, 8)
    if short.all():
        return out, grouped
    long_rows = ~short
    rest, rest_counts = group_identical_rows(
        matrix[long_rows].astype(np.int16), _subset(counts, long_rows), sentinel
    )
    return np.vstack([out, rest.astype(matrix.dtype)]), np.concatenate([grouped, rest_counts])


def _unique_keys(
    keys: npt.NDArray[np.integer], counts: IntArray | None
) -> tuple[npt.NDArray[np.integer], IntArray]:
    if counts is None:
        keys = np.sort(keys)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        return keys[starts], np.diff(np.append(starts, len(keys))).astype(np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    grouped = np.zeros(len(unique), dtype=np.int64)
    np.add.at(grouped, inverse.ravel(), counts)
    return unique, grouped


def _subset(counts: IntArray | None, mask: npt.NDArray[np.bool_]) -> IntArray | None:
    return None if counts is None else counts[mask]


def _group_by_key(
    keys: IntArray,
    counts: IntArray | None,
    matrix: npt.NDArray[np.integer],
    base: int,
    digits: int,
) -> tuple[npt.NDArray[np.integer], IntArray]:
    unique, grouped = _unique_keys(keys, counts)
    out = np.full((len(unique), matrix.shape[1]), base - 1, dtype=matrix.dtype)
    remaining = unique.copy()
    for j in range(digits - 1, -1, -1):
        out[:, j] = remaining % base
        remaining //= base
    return out, grouped


def _group_by_bytes(
    matrix: npt.NDArray[np.integer], counts: IntArray | None
) -> tuple[npt.NDArray[np.integer], IntArray]:
    matrix = np.ascontiguousarray(matrix)
    width = matrix.shape[1]
    keys = matrix.view(np.dtype((np.void, matrix.dtype.itemsize * width))).ravel()
    unique, inverse = np.unique(keys, return_inverse=True)
    grouped = np.zeros(len(unique), dtype=np.int64)
    np.add.at(grouped, inverse.ravel(), 1 if counts is None else counts)
    return unique.view(matrix.dtype).reshape(-1, width), grouped


def sum_by_candidate(labels: IntArray, amounts: IntArray, size: int) -> IntArray:
    """Exact integer sum of ``amounts`` per label (``np.bincount`` would go through float64)."""
    totals = np.zeros(size, dtype=np.int64)
    np.add.at(totals, labels, amounts)
    return totals


class Parcels:
    """Where every group of identical papers currently sits, and at what value."""

    def __init__(self, matrix: npt.NDArray[np.integer], counts: IntArray, n_candidates: int):
        if matrix.shape[1] == 0 or np.any(matrix[:, -1] != n_candidates):
            pad = np.full((matrix.shape[0], 1), n_candidates, dtype=matrix.dtype)
            matrix = np.hstack([matrix, pad])
        self.matrix = np.ascontiguousarray(matrix)
        self.counts = counts
        self.n_candidates = n_candidates
        self.position = np.zeros(len(counts), dtype=np.int64)
        self.holder: IntArray = matrix[:, 0].astype(np.int64)

    def held_by(self, candidate: int) -> IntArray:
        return np.flatnonzero(self.holder == candidate)

    def advance(self, rows: IntArray, continuing: npt.NDArray[np.bool_]) -> IntArray:
        """Move ``rows`` to their next preference for a continuing candidate.

        ``continuing`` has ``n_candidates + 1`` entries; the last (the sentinel) must be True so
        that exhausted papers stop. Returns the new holders of ``rows``.
        """
        width = self.matrix.shape[1]
        flat = self.matrix.reshape(-1)
        cells = rows * width + self.position[rows] + 1  # flat index of each row's next preference
        new_holder: IntArray = flat[cells].astype(np.int64)
        pending = np.flatnonzero(~continuing[new_holder])
        while len(pending):  # rows whose next preference is no longer continuing: look further
            cells[pending] += 1
            candidate = flat[cells[pending]].astype(np.int64)
            stop = continuing[candidate]
            new_holder[pending[stop]] = candidate[stop]
            pending = pending[~stop]
        position = cells - rows * width
        self.position[rows] = position
        self.holder[rows] = new_holder
        return new_holder
