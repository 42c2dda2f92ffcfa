"""Opinion-map maths: Polis's published method, deterministic and sparse. No Django here.

The steps follow the Polis math server (compdemocracy/polis, math/src/polismath/math/); each
function names the file it follows. Votes use the Polis export convention: agree = 1,
disagree = -1, pass = 0 (the Clojure code flips the sign internally; nothing here depends on it).

Where Polis depends on the history of the conversation (k-means started from the last run's
clusters, power iteration started from the last components, a k that changes only after four
runs in a row) this module instead gives the same output for the same votes, byte for byte:
exact principal components with a fixed sign, seeded k-means over participants in sorted order
(``clusters``: several seeded starts, the grouping with the best silhouette, which holds when a
tenth of the participants come or go), and group numbers ordered by group size. A recompute may
pass the previous groups, whose numbers the new groups then keep (see ``opinion_map``); the
groups themselves depend on the votes alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.linalg import svds

from rankandfile.opinions.clusters import base_clusters, group_centres, nearest

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Direction = Literal["agree", "disagree"]

# conversation.clj :in-conv: at least 7 votes, and at least 15 participants if there are so many.
MIN_VOTES = 7
GREEDY_N = 15
# stats.clj z-sig-90?
Z_90 = 1.2816
# conversation.clj meta-priority.
META_PRIORITY = 7.0


@dataclass(frozen=True)
class VoteMatrix:
    """Participants by statements, the latest vote of each participant on each statement.

    ``agree``, ``disagree`` and ``seen`` are 0/1 sparse matrices (a pass is seen, neither agree
    nor disagree); rows follow ``participants`` and columns ``statements``, both sorted.
    """

    participants: tuple[int, ...]
    statements: tuple[int, ...]
    agree: sp.csr_array
    disagree: sp.csr_array
    seen: sp.csr_array


@dataclass(frozen=True)
class Representative:
    """A statement that sets a group apart (repness.clj finalize-cmt-stats)."""

    statement: int
    direction: Direction
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float


@dataclass(frozen=True)
class Consensus:
    """Statements most of the conversation agrees (disagrees) with (repness.clj)."""

    agree: tuple[int, ...]
    disagree: tuple[int, ...]


@dataclass(frozen=True)
class OpinionMap:
    """Everything the map shows, computed from the votes alone."""

    participants: tuple[int, ...]
    statements: tuple[int, ...]
    positions: Mapping[int, tuple[float, float]]
    in_conversation: tuple[int, ...]
    groups: Mapping[int, int]
    repness: Mapping[int, tuple[Representative, ...]]
    consensus: Consensus
    group_informed_consensus: Mapping[int, float]
    priority: Mapping[int, float]


def vote_matrix(
    votes: Iterable[tuple[int, int, int]], *, statements: Iterable[int] = ()
) -> VoteMatrix:
    """Build the matrix from ``(participant, statement, vote)`` triples in the order cast.

    A later vote by the same participant on the same statement replaces the earlier one, as in
    Polis's raw rating matrix (conversation.clj :raw-rating-mat, named_matrix.clj update-nmat).
    """
    table = np.fromiter(itertools.chain.from_iterable(votes), dtype=np.int64).reshape(-1, 3)
    if not np.isin(table[:, 2], (-1, 0, 1)).all():
        raise ValueError("a vote is -1, 0 or 1")
    participant_ids, rows = np.unique(table[:, 0], return_inverse=True)
    statement_ids = np.unique(np.concatenate([table[:, 1], np.fromiter(statements, np.int64)]))
    cols = np.searchsorted(statement_ids, table[:, 1])
    # The last vote of each participant on each statement: the first one when read backwards.
    cell = rows.astype(np.int64) * max(len(statement_ids), 1) + cols
    _, first_backwards = np.unique(cell[::-1], return_index=True)
    last = len(cell) - 1 - first_backwards
    rows, cols, values = rows[last], cols[last], table[last, 2]
    shape = (len(participant_ids), len(statement_ids))

    def indicator(mask: npt.NDArray[np.bool_]) -> sp.csr_array:
        data = np.ones(int(mask.sum()), dtype=np.int64)
        return sp.csr_array((data, (rows[mask], cols[mask])), shape=shape)

    return VoteMatrix(
        participants=tuple(participant_ids.tolist()),
        statements=tuple(statement_ids.tolist()),
        agree=indicator(values == 1),
        disagree=indicator(values == -1),
        seen=indicator(np.ones(len(values), dtype=bool)),
    )


def zero_out(matrix: VoteMatrix, moderated_out: Collection[int]) -> VoteMatrix:
    """Moderated-out statements count as passes for everyone who voted on them.

    conversation.clj :rating-mat (named_matrix.clj zero-out-columns).
    """
    keep = np.array([s not in moderated_out for s in matrix.statements], dtype=np.int64)
    column_mask = sp.diags_array(keep, dtype=np.int64).tocsr()
    return VoteMatrix(
        participants=matrix.participants,
        statements=matrix.statements,
        agree=(matrix.agree @ column_mask).tocsr(),
        disagree=(matrix.disagree @ column_mask).tocsr(),
        seen=matrix.seen,
    )


def in_conversation(matrix: VoteMatrix) -> npt.NDArray[np.bool_]:
    """Who is clustered: at least 7 votes (or every statement, if fewer than 7), then the most
    active voters until there are 15 (conversation.clj :in-conv, :user-vote-counts)."""
    counts = np.asarray(matrix.seen.sum(axis=1)).ravel()
    chosen = counts >= min(MIN_VOTES, len(matrix.statements))
    missing = GREEDY_N - int(chosen.sum())
    if missing > 0:
        # Most votes first, then the lowest participant number: a stable, documented tie-break.
        order = np.lexsort((np.arange(len(counts)), -counts))
        extra = [i for i in order if not chosen[i]][:missing]
        chosen[extra] = True
    return chosen


def _centred(matrix: VoteMatrix) -> tuple[sp.csr_array, FloatArray]:
    """Votes minus each statement's mean vote, zero where nobody voted: the mean-imputed,
    centred matrix of conversation.clj :mat and pca.clj powerit-pca, kept sparse."""
    ratings = (matrix.agree - matrix.disagree).astype(np.float64)
    seen = matrix.seen
    counts = np.asarray(seen.sum(axis=0)).ravel().astype(np.float64)
    totals = np.asarray(ratings.sum(axis=0)).ravel()
    centre = np.divide(totals, counts, out=np.zeros_like(totals), where=counts > 0)
    # Subtract the centre only where a vote exists (seen has the same pattern as the votes).
    centred = (ratings - seen.multiply(centre[np.newaxis, :])).tocsr()
    return sp.csr_array(centred), centre


def _fix_sign(component: FloatArray) -> FloatArray:
    """The entry of largest size is positive (ties: the first), so the sign never flips."""
    pivot = int(np.argmax(np.abs(np.round(component, 12))))
    return component if component[pivot] >= 0 else -component


def principal_components(centred: sp.csr_array) -> FloatArray:
    """The first two principal axes (2 by statements), as pca.clj powerit-pca, computed exactly.

    Small matrices use a dense eigendecomposition of the covariance (its two largest
    eigenvectors only); large ones ARPACK with a fixed start vector. Each axis is sign-fixed.
    """
    n_rows, n_cols = centred.shape
    components = np.zeros((2, n_cols))
    rank = min(n_rows, n_cols)
    if rank == 0:
        return components
    if n_cols <= 2000 or rank <= 3:
        covariance = (centred.T @ centred).toarray()
        _, vectors = scipy.linalg.eigh(covariance, subset_by_index=[max(n_cols - 2, 0), n_cols - 1])
        found = vectors[:, ::-1].T
    else:
        start = np.ones(rank) / math.sqrt(rank)
        _, values, vt = svds(centred, k=2, v0=start, solver="arpack")
        found = vt[np.argsort(-values)]
    for index, component in enumerate(found):
        components[index] = _fix_sign(np.asarray(component, dtype=np.float64))
    return components


def project(
    matrix: VoteMatrix,
    centred: sp.csr_array,
    components: FloatArray,
    moderated_out: Collection[int] = (),
) -> FloatArray:
    """Each participant's position, scaled out by sqrt(statements / own votes) so that someone
    who voted on few statements is not pulled to the centre (pca.clj sparsity-aware-project-ptpt).

    Polis zeroes a moderated-out column for every participant (named_matrix.clj
    zero-out-columns sets the whole column to 0), so it counts as a vote in this scaling.
    """
    n_statements = max(len(matrix.statements), 1)
    out = np.array([s in moderated_out for s in matrix.statements], dtype=bool)
    raw = np.asarray(centred @ components.T)
    kept_votes = matrix.seen[:, np.flatnonzero(~out)].sum(axis=1)
    votes = np.asarray(kept_votes).ravel().astype(np.float64) + float(out.sum())
    scale = np.sqrt(n_statements / np.maximum(votes, 1.0))
    return np.asarray(raw * scale[:, np.newaxis], dtype=np.float64)


def comment_extremity(centre: FloatArray, components: FloatArray) -> FloatArray:
    """How far an agree vote on each statement alone moves a participant from the centre
    (pca.clj pca-project-cmnts, conversation.clj :comment-extremity)."""
    n_statements = len(centre)
    offset = (1.0 - centre) * math.sqrt(max(n_statements, 1))
    return np.asarray(np.abs(offset) * np.sqrt((components**2).sum(axis=0)), dtype=np.float64)


def _match_previous(
    labels: IntArray, participants: list[int], previous: Mapping[int, int]
) -> IntArray | None:
    """Give each group the previous number it shares most members with (same group count)."""
    old = np.array([previous.get(p, -1) for p in participants], dtype=np.int64)
    k = int(labels.max()) + 1
    if sorted(set(previous.values())) != list(range(k)):
        return None
    overlap = np.zeros((k, k))
    np.add.at(overlap, (labels[old >= 0], old[old >= 0]), 1.0)
    new_rows, old_cols = linear_sum_assignment(-overlap)
    number = dict(zip(new_rows.tolist(), old_cols.tolist(), strict=True))
    return np.array([number[int(g)] for g in labels], dtype=np.int64)


def _number_groups(labels: IntArray, order_key: IntArray) -> IntArray:
    """Group numbers by size, largest first; ties by the lowest participant row in each."""
    found = sorted(
        set(labels.tolist()),
        key=lambda g: (-int((labels == g).sum()), int(order_key[labels == g].min())),
    )
    new_number = {old: new for new, old in enumerate(found)}
    return np.array([new_number[int(g)] for g in labels], dtype=np.int64)


def prop_test(successes: FloatArray, trials: FloatArray) -> FloatArray:
    """stats.clj prop-test: a one-proportion z-test against 1/2, with a pseudocount."""
    succ, n = successes + 1.0, trials + 1.0
    return np.asarray(2.0 * np.sqrt(n) * (succ / n - 0.5), dtype=np.float64)


def two_prop_test(
    succ_in: FloatArray, succ_out: FloatArray, pop_in: FloatArray, pop_out: FloatArray
) -> FloatArray:
    """stats.clj two-prop-test: a two-proportion z-test, with pseudocounts; 0 when pooled p = 1."""
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, pop_in + 1.0, pop_out + 1.0
    pi1, pi2 = s1 / n1, s2 / n2
    pi_hat = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pi_hat * (1.0 - pi_hat) * (1.0 / n1 + 1.0 / n2))
    safe = np.where(pi_hat == 1.0, 1.0, spread)
    return np.asarray(np.where(pi_hat == 1.0, 0.0, (pi1 - pi2) / safe), dtype=np.float64)


@dataclass(frozen=True)
class _Stats:
    """repness.clj comment-stats and add-comparitive-stats for one group (arrays by statement)."""

    na: FloatArray
    nd: FloatArray
    ns: FloatArray
    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def _counts(matrix: VoteMatrix, rows: npt.NDArray[np.bool_]) -> tuple[FloatArray, ...]:
    def total(part: sp.csr_array) -> FloatArray:
        return np.asarray(part[rows].sum(axis=0), dtype=np.float64).ravel()

    return total(matrix.agree), total(matrix.disagree), total(matrix.seen)


def _group_stats(matrix: VoteMatrix, member_of: IntArray, n_groups: int) -> list[_Stats]:
    counts = [_counts(matrix, member_of == g) for g in range(n_groups)]
    all_na = sum(c[0] for c in counts)
    all_nd = sum(c[1] for c in counts)
    all_ns = sum(c[2] for c in counts)
    result = []
    for na, nd, ns in counts:
        rest_na, rest_nd, rest_ns = all_na - na, all_nd - nd, all_ns - ns
        pa, pd = (na + 1.0) / (ns + 2.0), (nd + 1.0) / (ns + 2.0)
        result.append(
            _Stats(
                na=na,
                nd=nd,
                ns=ns,
                pa=pa,
                pd=pd,
                pat=prop_test(na, ns),
                pdt=prop_test(nd, ns),
                ra=pa / ((rest_na + 1.0) / (rest_ns + 2.0)),
                rd=pd / ((rest_nd + 1.0) / (rest_ns + 2.0)),
                rat=two_prop_test(na, rest_na, ns, rest_ns),
                rdt=two_prop_test(nd, rest_nd, ns, rest_ns),
            )
        )
    return result


def _finalise(statement: int, s: _Stats, j: int) -> Representative:
    """repness.clj finalize-cmt-stats: agree if rat > rdt, otherwise disagree."""
    if s.rat[j] > s.rdt[j]:
        values = (s.na[j], s.pa[j], s.pat[j], s.ra[j], s.rat[j], "agree")
    else:
        values = (s.nd[j], s.pd[j], s.pdt[j], s.rd[j], s.rdt[j], "disagree")
    n_success, p_success, p_test, repness, repness_test, direction = values
    return Representative(
        statement=statement,
        direction="agree" if direction == "agree" else "disagree",
        n_success=int(n_success),
        n_trials=int(s.ns[j]),
        p_success=float(p_success),
        p_test=float(p_test),
        repness=float(repness),
        repness_test=float(repness_test),
    )


def _metric(r: Representative) -> float:
    """repness.clj repness-metric."""
    return r.repness * r.repness_test * r.p_success * r.p_test


def _beats_best_agree(s: _Stats, j: int, best: int | None) -> bool:
    """repness.clj beats-best-agr?"""
    if s.na[j] == 0 and s.nd[j] == 0:
        return False
    if best is not None and s.ra[best] > 1.0:
        mine = s.ra[j] * s.rat[j] * s.pa[j] * s.pat[j]
        return bool(mine > s.ra[best] * s.rat[best] * s.pa[best] * s.pat[best])
    if best is not None:
        return bool(s.pa[j] * s.pat[j] > s.pa[best] * s.pat[best])
    return bool(s.pat[j] > Z_90 or (s.ra[j] > 1.0 and s.pa[j] > 0.5))


def _select_representative(
    statements: tuple[int, ...], s: _Stats, moderated_out: Collection[int]
) -> tuple[Representative, ...]:
    """repness.clj select-rep-comments for one group: the significant statements (passes-by-test?)
    sorted by the repness metric, the best agree statement first, at most 5, agrees before
    disagrees; if none is significant, the best agree, else the best by test."""
    sufficient: list[Representative] = []
    best: Representative | None = None
    best_agree: int | None = None
    for j, statement in enumerate(statements):
        if statement in moderated_out:
            continue
        passes = (s.rat[j] > Z_90 and s.pat[j] > Z_90) or (s.rdt[j] > Z_90 and s.pdt[j] > Z_90)
        if passes:
            sufficient.append(_finalise(statement, s, j))
        if not sufficient and (best is None or max(s.rat[j], s.rdt[j]) > best.repness_test):
            best = _finalise(statement, s, j)
        if _beats_best_agree(s, j, best_agree):
            best_agree = j
    head: list[Representative] = []
    if best_agree is not None:
        head = [_finalise(statements[best_agree], s, best_agree)]
    elif best is not None:
        head = [best]
    if not sufficient:
        return tuple(head)
    head_ids = {r.statement for r in head if best_agree is not None}
    rest = sorted((r for r in sufficient if r.statement not in head_ids), key=lambda r: -_metric(r))
    chosen = ([*head, *rest] if best_agree is not None else rest)[:5]
    return tuple(
        [r for r in chosen if r.direction == "agree"]
        + [r for r in chosen if r.direction == "disagree"]
    )


def consensus(matrix: VoteMatrix, moderated_out: Collection[int] = ()) -> Consensus:
    """repness.clj consensus-stats and select-consensus-comments: over every participant, the
    statements with smoothed p > 0.5 and a significant one-proportion test, by p times z, top 5."""
    everyone = np.ones(len(matrix.participants), dtype=bool)
    na, nd, ns = _counts(matrix, everyone)

    def top(successes: FloatArray) -> tuple[int, ...]:
        p = (successes + 1.0) / (ns + 2.0)
        z = prop_test(successes, ns)
        candidates = [
            (-float(p[j] * z[j]), j)
            for j, statement in enumerate(matrix.statements)
            if statement not in moderated_out and p[j] > 0.5 and z[j] > Z_90
        ]
        return tuple(matrix.statements[j] for _, j in sorted(candidates)[:5])

    return Consensus(agree=top(na), disagree=top(nd))


def group_informed_consensus(matrix: VoteMatrix, groups: Mapping[int, int]) -> dict[int, float]:
    """For each statement, the product over groups of (agrees + 1) / (votes + 2) within the group
    (conversation.clj :group-aware-consensus). Groups multiply in ascending order."""
    row_of = {p: i for i, p in enumerate(matrix.participants)}
    member_of = np.full(len(matrix.participants), -1, dtype=np.int64)
    for participant, group in groups.items():
        if participant in row_of:
            member_of[row_of[participant]] = group
    product = np.ones(len(matrix.statements))
    for group in sorted(set(groups.values())):
        na, _, ns = _counts(matrix, member_of == group)
        product = product * ((na + 1.0) / (ns + 2.0))
    return {s: float(v) for s, v in zip(matrix.statements, product, strict=True)}


def priority(
    matrix: VoteMatrix,
    member_of: IntArray,
    extremity: FloatArray,
    meta: Collection[int] = (),
) -> dict[int, float]:
    """Routing priority: which statement most needs votes next (conversation.clj
    importance-metric, priority-metric, :comment-priorities). Counts are over grouped voters."""
    na, nd, ns = _counts(matrix, member_of >= 0)
    passes = ns - na - nd
    p = (passes + 1.0) / (ns + 2.0)
    a = (na + 1.0) / (ns + 2.0)
    importance = (1.0 - p) * (extremity + 1.0) * a
    values = (importance * (1.0 + 8.0 * np.power(2.0, ns / -5.0))) ** 2
    return {
        s: META_PRIORITY**2 if s in meta else float(v)
        for s, v in zip(matrix.statements, values, strict=True)
    }


def opinion_map(
    votes: Iterable[tuple[int, int, int]],
    *,
    moderated_out: Collection[int] = frozenset(),
    meta: Collection[int] = frozenset(),
    statements: Iterable[int] = (),
    previous_groups: Mapping[int, int] | None = None,
) -> OpinionMap:
    """The whole map from ``(participant, statement, vote)`` triples in the order cast.

    ``previous_groups`` (participant to group, from the last map of the same conversation):
    each new group keeps the number of the previous group it shares most members with, where
    the number of groups is unchanged; without it, groups are numbered by size, largest first.
    Polis also starts k-means from its last clusters; here the groups are found from the votes
    alone, stable enough without it (tests/opinions/test_groups_are_stable_on_vtaiwan_uberx.py),
    so the same votes give the same groups whatever came before.
    """
    moderated = frozenset(moderated_out)
    raw = vote_matrix(votes, statements=statements)
    rating = zero_out(raw, moderated)
    centred, centre = _centred(rating)
    components = principal_components(centred)
    points = project(rating, centred, components, moderated)
    chosen = in_conversation(raw)
    rows = np.flatnonzero(chosen)
    member_of = np.full(len(raw.participants), -1, dtype=np.int64)
    if len(rows) >= 2:
        present = [raw.participants[i] for i in rows]
        _, centres, sizes = base_clusters(points[rows])
        labels = nearest(points[rows], group_centres(centres, sizes))
        matched = _match_previous(labels, present, previous_groups) if previous_groups else None
        member_of[rows] = _number_groups(labels, rows) if matched is None else matched
    n_groups = int(member_of.max(initial=-1)) + 1
    groups = {raw.participants[i]: int(member_of[i]) for i in rows if member_of[i] >= 0}
    stats = _group_stats(rating, member_of, n_groups)
    return OpinionMap(
        participants=raw.participants,
        statements=raw.statements,
        positions={
            p: (float(x), float(y)) for p, (x, y) in zip(raw.participants, points, strict=True)
        },
        in_conversation=tuple(raw.participants[i] for i in rows),
        groups=groups,
        repness={
            g: _select_representative(raw.statements, stats[g], moderated) for g in range(n_groups)
        },
        consensus=consensus(rating, moderated),
        group_informed_consensus=group_informed_consensus(raw, groups),
        priority=priority(raw, member_of, comment_extremity(centre, components), meta),
    )
