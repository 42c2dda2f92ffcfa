"""Queue the daily or weekly digests: run from cron once a day / once a week."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from rankandfile.notifications.models import Frequency
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import digests_send


class Command(BaseCommand):
    help = "Gather held campaign messages into one digest per member, and send them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("frequency", choices=[Frequency.DAILY, Frequency.WEEKLY])

    def handle(self, *args: Any, frequency: str, **options: Any) -> None:
        queued = digests_send(frequency=Frequency(frequency))
        report = messages_deliver_due()
        self.stdout.write(f"{queued} digests queued, {report.sent} messages sent.")
