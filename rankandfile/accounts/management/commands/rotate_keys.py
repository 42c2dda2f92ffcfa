"""``rankandfile manage rotate_keys``: re-encrypt every encrypted column under the first key of
FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS, keep the old one after it, restart,
run this, then remove the old key. It works in batches (``--batch-size``), printing progress,
and can be interrupted and run again: rows already under the first key are skipped.
``--new-key`` prints a fresh key and does nothing else.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from rankandfile.lib import crypto
from rankandfile.lib.encrypted_rows import Table, encrypted_tables, reencrypt_table


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows a batch (500).")
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new random key and stop."
        )

    def handle(self, *args: Any, batch_size: int, new_key: bool, **options: Any) -> None:
        if new_key:
            self.stdout.write(crypto.new_key_text())
            return
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        ring = crypto.keyring()
        self.stdout.write(f"Encrypting under key {ring.current_id}.")

        def progress(table: Table, seen: int, changed: int) -> None:
            self.stdout.write(f"{table.name}: {seen} rows read, {changed} re-encrypted")

        total = 0
        for table in encrypted_tables():
            total += reencrypt_table(
                connection, table, batch_size=batch_size, ring=ring, progress=progress
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted."))
