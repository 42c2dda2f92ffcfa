from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankandfile.operations.backup import (
    BackupError,
    backup_key_new,
    backup_key_parse,
    backup_write,
)


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (the database and members' files) to FILE, with the age key "
        "BACKUP_KEY (or BACKUP_KEY_FILE); `--new-key` prints a new key. docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="The archive to write (new).")
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new age key for BACKUP_KEY_FILE."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(backup_key_new(), ending="")
            return
        if options["file"] is None:
            raise CommandError("Name the FILE to write the backup to.")
        try:
            key = backup_key_parse(settings.BACKUP_KEY)
            summary = backup_write(options["file"], key=key)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {summary.vendor} database ({summary.migrations} migrations applied) "
            f"and {summary.files} files to {options['file']} ({summary.bytes} bytes, encrypted)."
        )
