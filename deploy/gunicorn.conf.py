"""gunicorn's settings for Rank and File: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed from the environment (GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_THREADS, GUNICORN_TIMEOUT); the database pool of each worker process
(DATABASE_POOL_MAX_SIZE) should be at least GUNICORN_THREADS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

wsgi_app = "rankandfile.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# gthread: each worker process serves GUNICORN_THREADS requests at once, sharing its memory.
# Two, not four: the threads of a process take turns on one CPU (Python's GIL), and on the
# deadline-day load (bench/deadline_day.py, docs/deploy.md) four threads a process cost the app
# servers 15% more CPU than two and made the p99s several times longer.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 25  # less than systemd's TimeoutStopSec and compose's stop_grace_period
keepalive = 5  # nginx keeps connections to app servers open (upstream keepalive)
# A worker is replaced after this many requests (spread out, so not all at once): a leak in a
# library cannot grow for ever.
max_requests = 20000
max_requests_jitter = 2000
# One JSON object a line, with the request id the app answered (nginx's, or one it made): the
# same id is in the app's log lines.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", '
    '"duration_us": "%(D)s", "remote": "%(h)s"}'
)
errorlog = "-"


def on_starting(server: Any) -> None:
    """Prometheus counts of a previous run must not be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that stopped (replaced, or killed) no longer counts in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
