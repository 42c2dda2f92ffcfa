"""A restarted app server or job worker takes requests and jobs only after Django has started
and, for the first request, imported the URLconf. scikit-learn (through the opinion maps'
clustering and OpenDP's prelude) took 1.5 of the 3.5 CPU-seconds of that; on deadline day an
app server restarted after a crash kept members waiting while it did. Only the opinion-map job
needs it, and imports it there."""

from __future__ import annotations

import os
import subprocess
import sys

START = """
import sys
import django
django.setup()
import rankandfile.urls  # noqa: F401
print(" ".join(sorted(m for m in ("sklearn", "pandas", "polars") if m in sys.modules)))
"""


def test_django_and_the_urlconf_start_without_scikit_learn() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rankandfile.settings"}
    started = subprocess.run(
        [sys.executable, "-c", START], env=env, capture_output=True, text=True, check=True
    )
    assert started.stdout.strip() == ""


def test_the_opinion_maps_still_cluster_with_scikit_learn() -> None:
    import numpy as np

    from rankandfile.opinions.clusters import base_clusters

    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    labels, _, sizes = base_clusters(points)
    assert len(set(labels.tolist())) >= 2 and sizes.sum() == 4
