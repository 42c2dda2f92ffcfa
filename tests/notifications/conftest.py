from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from tests.notifications.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(settings: Settings) -> Iterator[SmtpSink]:
    """A real SMTP server on a free localhost port, with MAILERS pointing at it."""
    sink = SmtpSink().start()
    settings.MAILERS = sink.mailers_setting()
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    try:
        yield sink
    finally:
        sink.stop()
