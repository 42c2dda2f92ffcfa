"""Backup and restore: the database and members' files in one encrypted archive.

The archive is an age file (https://age-encryption.org, through pyrage) holding a tar of

- ``database``: the SQLite online backup (``sqlite3.Connection.backup``), or ``pg_dump
  --format=custom`` of the PostgreSQL database;
- ``files/NAME``: every file of the default storage, walked through Django's storage API (so
  object storage works as the disk does);
- ``manifest.json``: the format, the database vendor, the applied migrations, when it was made
  and each file's size and sha256.

The key is an age identity, ``BACKUP_KEY`` (or ``BACKUP_KEY_FILE``): its secret half
(``AGE-SECRET-KEY-1...``) makes and reads backups; its public half (``age1...``) only makes them,
for a machine that should not be able to read its own backups. Everything is streamed through
temporary files (in a private temporary folder, removed at the end), never held whole in memory.

A restore checks the whole archive before it changes anything: the key, the format, the vendor,
the migrations, that the database is empty and that no file in storage would be overwritten
with other content. It then writes the files (skipping any already there with the same content,
so a restore that failed half-way can be run again) and the database last.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyrage
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from pyrage import x25519

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database"
FILES = "files/"
_AGE_HEADER = b"age-encryption.org/v1\n"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupKey:
    """The age key of the backups: the public half encrypts, the secret half (if given) reads."""

    recipient: x25519.Recipient
    identity: x25519.Identity | None


def backup_key_new() -> str:
    """A new key, in age-keygen's format (a file of it can be BACKUP_KEY_FILE)."""
    identity = x25519.Identity.generate()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return f"# created: {created}\n# public key: {identity.to_public()}\n{identity}\n"


def backup_key_parse(text: str | None) -> BackupKey:
    """BACKUP_KEY's text: an age secret key or public key; lines starting with # are skipped."""
    if not text:
        raise BackupError(
            "BACKUP_KEY (or BACKUP_KEY_FILE) is not set: it is the age key backups are encrypted "
            "with. `rankandfile manage backup --new-key` prints a new one."
        )
    lines = [line.strip() for line in text.splitlines()]
    key = next((line for line in lines if line and not line.startswith("#")), "")
    try:
        if key.startswith("AGE-SECRET-KEY-1"):
            identity = x25519.Identity.from_str(key)
            return BackupKey(recipient=identity.to_public(), identity=identity)
        if key.startswith("age1"):
            return BackupKey(recipient=x25519.Recipient.from_str(key), identity=None)
    except (pyrage.IdentityError, pyrage.RecipientError) as error:
        raise BackupError(f"BACKUP_KEY is not a valid age key: {error}.") from None
    raise BackupError(
        "BACKUP_KEY is not an age key: give its secret key (AGE-SECRET-KEY-1...) or, on a "
        "machine that only makes backups, its public key (age1...)."
    )


@dataclass(frozen=True)
class BackupSummary:
    vendor: str
    migrations: int
    files: int
    bytes: int


# Writing a backup


def backup_write(path: Path, *, key: BackupKey) -> BackupSummary:
    """Write the encrypted archive to ``path`` (refused if it exists; written under a temporary
    name and renamed, so a failed backup never leaves a half archive under the real name)."""
    if path.exists():
        raise BackupError(f"{path} already exists: give a new file name for each backup.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder.")
    if connection.in_atomic_block:
        # SQLite's backup would wait for ever on the connection's own open transaction, and
        # pg_dump would not see what it has written.
        raise BackupError("A backup runs outside any transaction.")
    with tempfile.TemporaryDirectory(prefix="rankandfile-backup-") as scratch:
        database = Path(scratch) / DATABASE
        _database_dump(database)
        plain = Path(scratch) / "backup.tar"
        files = []
        with tarfile.open(plain, "w") as tar:
            tar.add(database, arcname=DATABASE)
            database.unlink()  # not twice on disk
            for name in storage_names(default_storage):
                files.append(_tar_add_stored(tar, name))
            migrations = _migrations_applied()
            manifest = {
                "format": FORMAT_VERSION,
                "vendor": connection.vendor,
                "migrations": migrations,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": files,
            }
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial = path.with_name(path.name + ".partial")
        try:
            pyrage.encrypt_file(str(plain), str(partial), [key.recipient])
            os.chmod(partial, 0o600)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(
        vendor=connection.vendor,
        migrations=len(migrations),
        files=len(files),
        bytes=path.stat().st_size,
    )


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in ``storage``, through the storage API, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a disk storage whose folder was never made: no files yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from storage_names(storage, f"{folder}/{name}" if folder else name)


class _Hashing:
    """A file read through, its sha256 computed on the way (tarfile reads exactly its size)."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.sha256.update(chunk)
        return chunk


def _tar_add_stored(tar: tarfile.TarFile, name: str) -> dict[str, Any]:
    info = tarfile.TarInfo(FILES + name)
    info.size = default_storage.size(name)
    with default_storage.open(name, "rb") as stored:
        reader = _Hashing(stored)
        tar.addfile(info, reader)
    return {"name": name, "size": info.size, "sha256": reader.sha256.hexdigest()}


def _migrations_applied() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _database_dump(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    elif connection.vendor == "postgresql":
        _postgres("pg_dump", "--format=custom", f"--file={target}")
    else:
        raise BackupError(f"Backups work on SQLite and PostgreSQL, not {connection.vendor}.")


def _postgres(program: str, *arguments: str) -> None:
    """Run pg_dump or pg_restore on the default database; the password goes in the
    environment, never on a command line that other users can read."""
    settings = connection.settings_dict
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", settings.get("NAME")),
        ("PGSSLMODE", settings.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            environment[variable] = str(value)
    try:
        finished = subprocess.run(
            [program, *arguments], env=environment, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{program} is not installed: it comes with PostgreSQL's client "
            "(apt-get install postgresql-client)."
        ) from None
    if finished.returncode != 0:
        raise BackupError(f"{program} failed: {finished.stderr.strip()}")


# Restoring


def restore_read(path: Path, *, key: BackupKey) -> BackupSummary:
    """Restore the archive at ``path`` into the empty database and the default storage."""
    if key.identity is None:
        raise BackupError(
            "BACKUP_KEY is the public half of a key (age1...): it makes backups but cannot read "
            "them. Restore with its secret key (AGE-SECRET-KEY-1...)."
        )
    try:
        with path.open("rb") as archive:
            is_age = archive.read(len(_AGE_HEADER)) == _AGE_HEADER
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if not is_age:
        raise BackupError(f"{path} is not a Rank and File backup (not an age-encrypted file).")
    with tempfile.TemporaryDirectory(prefix="rankandfile-restore-") as scratch:
        plain = Path(scratch) / "backup.tar"
        try:
            pyrage.decrypt_file(str(path), str(plain), [key.identity])
        except pyrage.DecryptError as error:
            if "No matching keys" in str(error):
                raise BackupError(
                    f"This backup was not made with this key: BACKUP_KEY cannot decrypt {path}. "
                    "Nothing was changed."
                ) from None
            raise BackupError(f"{path} is damaged and cannot be decrypted: {error}.") from None
        with tarfile.open(plain, "r") as tar:
            manifest = _manifest_checked(tar)
            _database_must_be_empty()
            files = _files_to_restore(tar, manifest)
            for name, member in files:
                _file_restore(tar, name, member)
            _database_restore(tar, Path(scratch))
    return BackupSummary(
        vendor=manifest["vendor"],
        migrations=len(manifest["migrations"]),
        files=len(manifest["files"]),
        bytes=path.stat().st_size,
    )


def _manifest_checked(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        extracted = tar.extractfile(MANIFEST)
        manifest: dict[str, Any] = json.load(extracted) if extracted else {}
    except (KeyError, ValueError):
        raise BackupError("The archive has no readable manifest: it is not a backup.") from None
    if manifest.get("format", 0) > FORMAT_VERSION:
        raise BackupError(
            f"This backup is in format {manifest['format']}, made by a newer version of Rank and "
            f"File than this one (format {FORMAT_VERSION}): restore it with that version."
        )
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.get('vendor')} database and this site's database is "
            f"{connection.vendor}: restore it into a {manifest.get('vendor')} database."
        )
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Rank and File: its database has "
            f"migrations this version does not know ({', '.join(unknown[:5])}"
            f"{', ...' if len(unknown) > 5 else ''}). Restore it with that version."
        )
    return manifest


def _database_must_be_empty() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database is not empty (it has {len(tables)} tables): a backup is restored "
            "only into an empty database. Create a new one (or name a new SQLite file) and "
            "point DATABASE_URL (or SQLITE_PATH) at it."
        )


def _sha256(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _files_to_restore(
    tar: tarfile.TarFile, manifest: dict[str, Any]
) -> list[tuple[str, tarfile.TarInfo]]:
    """The archive's files not yet in storage, each checked against the manifest; refused whole
    if one would overwrite a stored file with other content."""
    restore = []
    for entry in manifest["files"]:
        name = entry["name"]
        try:
            member = tar.getmember(FILES + name)
        except KeyError:
            raise BackupError(f"The archive lacks the file {name} its manifest lists.") from None
        extracted = tar.extractfile(member)
        if extracted is None or _sha256(extracted) != entry["sha256"]:
            raise BackupError(f"The file {name} in the archive does not match its manifest.")
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                if _sha256(stored) == entry["sha256"]:
                    continue  # already restored (a restore run again)
            raise BackupError(
                f"The storage already holds a different file named {name}: restore into empty "
                "storage (a new MEDIA_ROOT or bucket)."
            )
        restore.append((name, member))
    return restore


def _file_restore(tar: tarfile.TarFile, name: str, member: tarfile.TarInfo) -> None:
    extracted = tar.extractfile(member)
    assert extracted is not None  # checked by _files_to_restore
    saved = default_storage.save(name, File(extracted, name=name))
    if saved != name:  # the storage renamed it: someone wrote the same name meanwhile
        default_storage.delete(saved)
        raise BackupError(f"The storage would not keep the name {name}; nothing was overwritten.")


def _database_restore(tar: tarfile.TarFile, scratch: Path) -> None:
    dump = scratch / DATABASE
    extracted = tar.extractfile(DATABASE)
    if extracted is None:
        raise BackupError("The archive has no database.")
    with dump.open("wb") as target:
        shutil.copyfileobj(extracted, target, _CHUNK)
    connection.close()
    if connection.vendor == "sqlite":
        # Through the backup API rather than a file copy: it takes SQLite's locks and leaves
        # no stale write-ahead log beside the file.
        with (
            sqlite3.connect(dump) as source,
            sqlite3.connect(connection.settings_dict["NAME"]) as restored,
        ):
            source.backup(restored)
        source.close()
        restored.close()
    else:
        _postgres(
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        )
