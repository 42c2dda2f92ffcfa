"""The product's settings with the benchmark's ceiling route mounted (bench/ceiling_urls.py)."""

from rankandfile.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"
