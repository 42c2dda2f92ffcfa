"""The group step (rankandfile/opinions/clusters.py): weighted k-means from seeded starts, the
grouping with the best silhouette, participants with the nearest group centre."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import silhouette_score

from rankandfile.opinions.clusters import (
    group_centres,
    nearest,
    plus_plus_starts,
    silhouettes,
    weighted_kmeans,
)


def blobs(centres: list[tuple[float, float]], each: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(centre, 0.3, size=(each, 2)) for centre in centres])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=5, max_value=30),
    st.integers(min_value=2, max_value=4),
)
def test_the_silhouette_is_sklearns_and_zero_for_a_point_alone(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 2))
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])[np.newaxis, :]
    distances = np.sqrt(((points[:, np.newaxis] - points[np.newaxis]) ** 2).sum(axis=-1))

    ours = silhouettes(distances, labels, k)[0]

    assert np.isclose(ours, silhouette_score(distances, labels[0], metric="precomputed"))


def test_a_grouping_with_an_empty_group_is_never_chosen() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
    distances = np.abs(points[:, :1] - points[:, :1].T)

    found = silhouettes(distances, np.array([[0, 0, 1], [0, 0, 0]]), 2)

    assert found[1] == -np.inf and found[0] > 0


def test_weighted_kmeans_puts_each_centre_at_its_members_weighted_mean() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [12.0, 0.0]])
    weights = np.array([3.0, 1.0, 1.0, 1.0])

    labels, centres = weighted_kmeans(points, weights, np.array([[[0.0, 0.0], [10.0, 0.0]]]))

    assert labels[0].tolist() == [0, 0, 1, 1]
    assert centres[0].tolist() == [[0.25, 0.0], [11.0, 0.0]]


def test_plus_plus_starts_are_distinct_points_and_seeded() -> None:
    points = blobs([(0, 0), (5, 0), (0, 5)], 10)
    weights = np.ones(len(points))

    first = plus_plus_starts(points, weights, 3, 8, np.random.default_rng(0))
    again = plus_plus_starts(points, weights, 3, 8, np.random.default_rng(0))

    assert first.shape == (8, 3, 2)
    assert (first == again).all()
    for start in first:
        assert len(np.unique(start, axis=0)) == 3
        assert all((points == centre).all(axis=1).any() for centre in start)


def test_three_separate_camps_make_three_groups_and_everyone_joins_their_camp() -> None:
    points = blobs([(0, 0), (6, 0), (3, 5)], 40)
    sizes = np.ones(len(points))

    centres = group_centres(points, sizes)
    labels = nearest(points, centres)

    assert len(centres) == 3
    for camp in range(3):
        assert len(set(labels[camp * 40 : (camp + 1) * 40].tolist())) == 1
    assert len(set(labels.tolist())) == 3


def test_two_distinct_base_clusters_make_two_groups_and_one_makes_one() -> None:
    two = group_centres(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([5.0, 1.0]))
    one = group_centres(np.array([[0.0, 0.0]]), np.array([5.0]))

    assert sorted(two.tolist()) == [[0.0, 0.0], [1.0, 1.0]]
    assert one.tolist() == [[0.0, 0.0]]
