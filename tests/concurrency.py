"""Synchronisation for the PostgreSQL concurrency tests: wait for a condition, not a time."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection


def a_query_waits_for_a_lock() -> bool:
    """Whether another connection to this database is blocked on a row or table lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return bool(waiting)


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = 10) -> None:
    """Poll ``condition`` until it holds; fail, saying ``what`` was awaited, after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)
