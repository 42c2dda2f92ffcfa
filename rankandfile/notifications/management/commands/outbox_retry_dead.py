"""Give dead-lettered outbox messages a fresh set of attempts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from rankandfile.notifications.sending import messages_retry_dead


class Command(BaseCommand):
    help = "Queue dead-lettered messages again (all of them, or the ids given)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Message ids (default: all dead).")

    def handle(self, *args: Any, ids: list[int], **options: Any) -> None:
        count = messages_retry_dead(ids=ids or None)
        self.stdout.write(f"{count} dead letters queued again.")
