from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankandfile.operations.backup import BackupError, backup_key_parse, restore_read


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an empty database and the file storage, with "
        "the age key BACKUP_KEY (or BACKUP_KEY_FILE). docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive to restore.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = backup_key_parse(settings.BACKUP_KEY)
            summary = restore_read(options["file"], key=key)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the {summary.vendor} database ({summary.migrations} migrations applied) "
            f"and {summary.files} files from {options['file']}. Run `rankandfile manage migrate` "
            "if this version has newer migrations."
        )
