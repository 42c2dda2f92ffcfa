"""When each personal API token was last used: noted to the hour, written behind the requests.

Every API call looks its token up, and on a deadline day thousands of calls a minute come with
tokens used for the first time that hour. A note written by each call would add a write
transaction to each; instead a process gathers the uses in memory and one statement writes them
``API_TOKEN_USE_WRITE_SECONDS`` (default 10) after the first of them, from a timer thread with
its own database connection. The note is there for the member (to spot a token they do not use)
and is not a record: uses gathered by a process that is killed before its timer fires are lost.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from itertools import batched

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from rankandfile.accounts.models import ApiToken

logger = logging.getLogger(__name__)

# A token's use is noted again once its last note is this old.
NOTE_EVERY = timedelta(hours=1)

_lock = threading.Lock()
_pending: set[int] = set()
_timer: threading.Timer | None = None


def token_use_note(token_id: int, last_used: datetime | None) -> None:
    """Note that the token was used now, if its last note is over ``NOTE_EVERY`` old."""
    global _timer
    if last_used is not None and timezone.now() - last_used < NOTE_EVERY:
        return
    with _lock:
        _pending.add(token_id)
        if _timer is None:
            _timer = threading.Timer(settings.API_TOKEN_USE_WRITE_SECONDS, _write_from_timer)
            _timer.daemon = True
            _timer.start()


def token_uses_write() -> int:
    """Write the uses gathered so far: each token's ``last_used_at`` becomes now, unless
    another process noted it within the hour. The number of tokens written."""
    token_ids = _take_pending()
    now = timezone.now()
    due = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - NOTE_EVERY)
    return sum(
        ApiToken.objects.filter(due, pk__in=chunk).update(last_used_at=now)
        for chunk in batched(token_ids, 500)
    )


def token_uses_forget() -> None:
    """Drop the uses not yet written (between tests: each starts from an empty database)."""
    _take_pending()


def _take_pending() -> list[int]:
    """The uses gathered so far, no longer pending, and no timer left to write them."""
    global _pending, _timer
    with _lock:
        token_ids, _pending = sorted(_pending), set()
        timer, _timer = _timer, None
    if timer is not None:
        timer.cancel()  # nothing to do if it is the timer's own thread calling
    return token_ids


def _write_from_timer() -> None:
    try:
        token_uses_write()
    except Exception:
        logger.exception("Could not note when API tokens were last used.")
    finally:
        connections.close_all()  # this thread's own connections
