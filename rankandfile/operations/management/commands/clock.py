from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from rankandfile.operations.schedule import jobs_due


class Command(BaseCommand):
    help = "Enqueue the background jobs that are due, every minute (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            now = timezone.now()
            for job in jobs_due(now):
                job.task.enqueue(*job.args)
            if options["once"]:
                return
            # Wake at the start of the next minute, so that 07:00 is never skipped.
            time.sleep(60 - timezone.now().second + 0.5)
