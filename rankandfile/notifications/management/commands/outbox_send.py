"""Send due outbox messages now, or keep sending (``--loop``) until stopped."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from rankandfile.notifications.sending import messages_deliver_due


class Command(BaseCommand):
    help = "Send due outbox messages; with --loop, keep polling for new ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Poll until interrupted.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when idle."
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=None,
            help="SMTP connections side by side (default: NOTIFICATIONS_SENDER_CONNECTIONS).",
        )

    def handle(
        self, *args: Any, loop: bool, interval: float, connections: int | None, **options: Any
    ) -> None:
        connections = connections or settings.NOTIFICATIONS_SENDER_CONNECTIONS
        while True:
            report = messages_deliver_due(connections=connections)
            if report.claimed:
                self.stdout.write(
                    f"sent {report.sent}, failed {report.failed}, dead {report.dead}, "
                    f"skipped {report.skipped}, held {report.held}"
                )
            if not loop:
                return
            if not report.claimed:
                time.sleep(interval)
