"""Encrypting, re-encrypting and decrypting the stored rows of encrypted columns in batches.

Used by the migrations that switched encryption on (forwards and back) and by
``rankandfile manage rotate_keys``. It works on raw SQL, by primary key ranges, so it needs
neither the current models nor the historical ones, and it is resumable: a row whose every
value is already under the current key (and whose digests are there) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from rankandfile.lib import crypto
from rankandfile.lib.fields import EncryptedJSONField, EncryptedTextField


@dataclass(frozen=True)
class Column:
    name: str
    digest: str | None = None
    lower_case: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    columns: tuple[Column, ...]


def encrypted_tables() -> list[Table]:
    """Every table with an encrypted column, from the installed models."""
    tables = []
    for model in apps.get_models():
        columns = []
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedJSONField):
                columns.append(Column(str(field.column)))
            elif isinstance(field, EncryptedTextField):
                digest = None
                if field.digest_field:
                    digest = str(model._meta.get_field(field.digest_field).column)  # type: ignore[union-attr]
                columns.append(Column(str(field.column), digest, field.lower_case))
        if columns:
            pk = model._meta.pk
            assert pk is not None
            tables.append(Table(model._meta.db_table, str(pk.column), tuple(columns)))
    return sorted(tables, key=lambda t: t.name)


Progress = Callable[[Table, int, int], None]


def _forward(stored: str | None, column: Column, ring: crypto.Keyring) -> tuple[Any, Any] | None:
    """(new value, new digest) when the stored value is not under the current key; else None."""
    if stored is None or stored == "":
        return None
    if crypto.stored_key_id(stored) == ring.current_id:
        return None
    plain = crypto.decrypt(stored, ring=ring)
    if column.lower_case:
        plain = plain.lower()
    return crypto.encrypt(plain, ring=ring), crypto.lookup_digest(plain, ring=ring)


def reencrypt_table(
    connection: BaseDatabaseWrapper,
    table: Table,
    *,
    batch_size: int = 500,
    decrypt: bool = False,
    ring: crypto.Keyring | None = None,
    progress: Progress | None = None,
) -> int:
    """Bring every row of ``table`` under the current key (or, with ``decrypt``, back to
    plaintext); each batch is its own statement set. Returns rows changed."""
    ring = ring or crypto.keyring()
    q = connection.ops.quote_name
    wanted = [c.name for c in table.columns] + [c.digest for c in table.columns if c.digest]
    select = (
        f"SELECT {q(table.pk)}, {', '.join(q(c) for c in wanted)} FROM {q(table.name)} "
        f"WHERE {q(table.pk)} > %s ORDER BY {q(table.pk)} LIMIT %s"
    )
    last: Any = -1  # primary keys are positive
    seen = changed = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last, batch_size])
            rows = cursor.fetchall()
        if not rows:
            break
        updates = []
        for row in rows:
            values = dict(zip(wanted, row[1:], strict=True))
            new = _row_update(values, table.columns, ring, decrypt=decrypt)
            if new:
                updates.append((new, row[0]))
        _write(connection, table, updates)
        seen += len(rows)
        changed += len(updates)
        last = rows[-1][0]
        if progress:
            progress(table, seen, changed)
    return changed


def _row_update(
    values: dict[str, Any], columns: Iterable[Column], ring: crypto.Keyring, *, decrypt: bool
) -> dict[str, Any]:
    new: dict[str, Any] = {}
    for column in columns:
        stored = values[column.name]
        if decrypt:
            if stored and crypto.is_encrypted(stored):
                new[column.name] = crypto.decrypt(stored, ring=ring)
            continue  # the digest columns go with the migration being reversed
        moved = _forward(stored, column, ring)
        if moved is not None:
            new[column.name], digest = moved
            if column.digest:
                new[column.digest] = digest
        elif column.digest and stored and not values[column.digest]:
            # Under the current key but without its digest: written by a half-done migration.
            new[column.digest] = crypto.lookup_digest(crypto.decrypt(stored, ring=ring), ring=ring)
    return new


def _write(
    connection: BaseDatabaseWrapper, table: Table, updates: list[tuple[dict[str, Any], Any]]
) -> None:
    q = connection.ops.quote_name
    # One transaction a batch: an interruption loses at most the batch being written.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for values, pk in updates:
            assignments = ", ".join(f"{q(name)} = %s" for name in values)
            cursor.execute(
                f"UPDATE {q(table.name)} SET {assignments} WHERE {q(table.pk)} = %s",
                [*values.values(), pk],
            )
