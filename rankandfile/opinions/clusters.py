"""Opinion groups from participants' positions: base clusters, then groups. No Django here.

The steps follow the Polis math server (compdemocracy/polis, math/src/polismath/math/):
participants' positions are grouped into up to 100 base clusters (conversation.clj
:base-clusters), and the base clusters' centres, weighted by their sizes, into 2 to 5 groups by
k-means, keeping the k with the best silhouette (conversation.clj :group-clusterings,
:group-clusterings-silhouettes, max-k-fn; clusters.clj kmeans, silhouette).

Where Polis runs k-means once per k from its last clusters (or from the first k distinct rows),
this module runs it from several seeded k-means++ starts per k, and keeps, over every k and
every start, the grouping with the best silhouette: the criterion Polis uses to choose k, used
also to choose among starts. Positions in one opinion cloud often have no clear gap between
groups; k-means then has many nearly equal solutions whose boundaries sit in different places,
and the lowest within-group spread picks one or another as participants come and go. The
silhouette prefers a boundary through the thinnest part of the cloud, which moves little. A
larger k must win by a small margin, where Polis holds k back over runs (:group-k-smoother).

Each participant then joins the nearest group centre (one k-means assignment step over the
participants themselves), instead of taking their base cluster's group as Polis does, so that
the group boundary does not follow the edges of the base clusters, which come from one seeded
k-means start and move when a few participants leave.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# conversation.clj, base-conv-update-graph :opts' defaults.
BASE_K = 100
MAX_K = 5
SEED = 0
# Seeded k-means++ starts for each k of the group step (Polis has one start per k). With 10,
# whether a 90% subsample of 15-per-hour-seattle found the best grouping depended on the
# processor's rounding (the subsample test passed on one machine and not on another, AMD EPYC,
# where one subsample split 67/59 instead of about 97/41); with 30 both find it. The starts run
# over the base clusters (at most 100 points), so they cost little.
GROUP_STARTS = 30
# A larger k must beat the best smaller k's silhouette by this much. Polis keeps its k until
# another wins four runs in a row (conversation.clj :group-k-smoother); from scratch, a smaller
# lead is noise: a k's best silhouette moves by about this much when a tenth of the
# participants leave, and k would flip with it.
LARGER_K_MARGIN = 0.02
MAX_ITERATIONS = 100


def base_clusters(points: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Up to 100 small clusters of participants (conversation.clj :base-clusters), by one
    seeded k-means run. Returns each point's base cluster, the base clusters' centres and their
    sizes (empty ones dropped)."""
    distinct = np.unique(np.round(points, 9), axis=0)
    k = min(BASE_K, len(distinct))
    if k <= 1:
        labels = np.zeros(len(points), dtype=np.int64)
        return labels, points.mean(axis=0, keepdims=True), np.array([float(len(points))])
    # Imported here, not at the top: scikit-learn takes most of a second of CPU to import, and
    # every app server and job worker process imports this module (through the opinions app)
    # when it starts, while only the opinion-map job clusters.
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=1, random_state=SEED, algorithm="lloyd")
    labels = np.asarray(model.fit_predict(points), dtype=np.int64)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    used = sizes > 0
    renumber = np.cumsum(used) - 1
    return renumber[labels], np.asarray(model.cluster_centers_)[used], sizes[used]


def _squared_distances(points: FloatArray, centres: FloatArray) -> FloatArray:
    """Points (n, d) to centres (starts, k, d): squared distances (starts, n, k), as
    |p|^2 - 2 p.c + |c|^2 (sklearn's euclidean_distances does the same)."""
    cross = points @ centres.transpose(0, 2, 1)
    lengths = (points**2).sum(axis=1)[:, np.newaxis]
    return np.asarray(lengths - 2.0 * cross + (centres**2).sum(axis=2)[:, np.newaxis, :])


def plus_plus_starts(
    points: FloatArray, weights: FloatArray, k: int, n_starts: int, rng: np.random.Generator
) -> FloatArray:
    """k-means++ starting centres (Arthur and Vassilvitskii 2007), weighted: each next centre
    is drawn with probability weight times squared distance to the nearest centre so far.
    Returns (n_starts, k, d). They replace Polis's start from the first k distinct rows
    (clusters.clj init-clusters), which depends on the order of the rows."""
    n = len(points)
    chosen = np.zeros((n_starts, k), dtype=np.int64)
    nearest = np.ones((n_starts, n))
    for j in range(k):
        mass = np.cumsum(weights[np.newaxis, :] * nearest, axis=1)
        draw = rng.random(n_starts) * mass[:, -1]
        chosen[:, j] = np.minimum((mass <= draw[:, np.newaxis]).sum(axis=1), n - 1)
        step = _squared_distances(points, points[chosen[:, j]][:, np.newaxis, :])[..., 0]
        nearest = step if j == 0 else np.minimum(nearest, step)
    return np.asarray(points[chosen], dtype=np.float64)


def weighted_kmeans(
    points: FloatArray, weights: FloatArray, starts: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Lloyd's k-means with weighted points from each of ``starts`` (n_starts, k, d) at once
    (clusters.clj kmeans, cluster-step, weighted-mean), until no point changes cluster. A
    cluster that empties keeps its centre. Returns labels (n_starts, n) and centres."""
    centres = starts.copy()
    labels = np.full((len(starts), len(points)), -1, dtype=np.int64)
    groups = np.arange(starts.shape[1])
    for _ in range(MAX_ITERATIONS):
        new = _squared_distances(points, centres).argmin(axis=-1)
        if (new == labels).all():
            break
        labels = new
        member = (labels[:, np.newaxis, :] == groups[:, np.newaxis]) * weights
        mass = member.sum(axis=2)[..., np.newaxis]
        centres = np.where(mass > 0, (member @ points) / np.maximum(mass, 1e-300), centres)
    return labels, centres


def silhouettes(distances: FloatArray, labels: IntArray, k: int) -> FloatArray:
    """The silhouette of each clustering in ``labels`` (n_starts, n), the mean over the points
    of (b - a) / max(a, b), 0 for a point alone in its cluster (clusters.clj silhouette, over
    the base clusters' distance matrix, conversation.clj :bucket-dists). A clustering with an
    empty cluster scores -inf."""
    member = (labels[..., np.newaxis] == np.arange(k)).astype(np.float64)
    counts = member.sum(axis=1)
    totals = distances @ member
    own = np.take_along_axis(totals, labels[..., np.newaxis], axis=-1)[..., 0]
    own_count = np.take_along_axis(counts, labels, axis=-1)
    within = own / np.maximum(own_count - 1.0, 1.0)
    means = totals / np.maximum(counts, 1.0)[:, np.newaxis, :]
    np.put_along_axis(means, labels[..., np.newaxis], np.inf, axis=-1)
    between = means.min(axis=-1)
    spread = np.maximum(np.maximum(within, between), 1e-300)
    each = np.where(own_count > 1.0, (between - within) / spread, 0.0)
    score = each.mean(axis=1)
    return np.asarray(np.where((counts > 0).all(axis=1), score, -np.inf), dtype=np.float64)


def group_centres(centres: FloatArray, sizes: FloatArray) -> FloatArray:
    """The opinion groups' centres: weighted k-means over the base clusters for k from 2 to at
    most 5 (conversation.clj :group-clusterings, max-k-fn), GROUP_STARTS seeded starts for each
    k, keeping the grouping with the best silhouette over all k and starts
    (:group-clusterings-silhouettes), a larger k only if it is better by LARGER_K_MARGIN
    (as :group-k-smoother holds k back). Ties keep the earlier start.

    As in Polis, k = 2 is always tried, so two distinct base clusters make two groups.
    """
    n_base = len(centres)
    if n_base < 2:
        return np.asarray(centres[:1], dtype=np.float64)
    max_k = min(MAX_K, 2 + n_base // 12, n_base)
    distances = np.sqrt(((centres[:, np.newaxis] - centres[np.newaxis]) ** 2).sum(axis=-1))
    rng = np.random.default_rng(SEED)
    best_score, best = -np.inf, np.asarray(centres[:1], dtype=np.float64)
    for k in range(2, max_k + 1):
        starts = plus_plus_starts(centres, sizes, k, GROUP_STARTS, rng)
        labels, found = weighted_kmeans(centres, sizes, starts)
        scores = silhouettes(distances, labels, k)
        top = int(np.argmax(scores))
        if scores[top] > best_score + (LARGER_K_MARGIN if k > 2 else 0.0):
            best_score, best = float(scores[top]), found[top]
    return best


def nearest(points: FloatArray, centres: FloatArray) -> IntArray:
    """Each point's nearest centre (the first on a tie; clusters.clj add-to-closest), numbered
    0, 1, ... in centre order, skipping none: a centre nobody is nearest to drops out."""
    closest = _squared_distances(points, centres[np.newaxis])[0].argmin(axis=1)
    _, labels = np.unique(closest, return_inverse=True)
    return np.asarray(labels, dtype=np.int64).reshape(-1)
