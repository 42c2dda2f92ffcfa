"""Delete personal data past its retention period now (the daily job does it too)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from rankandfile.privacy.retention import privacy_retention_run


class Command(BaseCommand):
    help = "Delete personal data past its retention period, or with --dry-run count it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        counts = privacy_retention_run(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} {verb}")
