"""`rankandfile manage backup FILE`, then `restore FILE` into an empty database and empty
storage, gives back every row of every table and every stored file, on the database the tests
run on (SQLite, or PostgreSQL with DATABASE_URL). The restore runs as the real command in its own
process, pointed at the new database, as an operator would run it."""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyrage
import pytest
from django.apps import apps as django_apps
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from pytest_django.fixtures import Settings

from rankandfile.demo.services import demo_network_load
from rankandfile.operations.backup import (
    FORMAT_VERSION,
    backup_key_new,
    backup_key_parse,
    storage_names,
)
from rankandfile.resources.models import Resource


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The settings of a new, empty database of the tests' vendor; dropped afterwards."""
    settings = dict(connection.settings_dict)
    settings["OPTIONS"] = {
        key: value for key, value in settings["OPTIONS"].items() if key != "pool"
    }
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings
        return
    settings["NAME"] = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    try:
        yield settings
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')


def _environment(database: dict[str, Any], key: str, media: Path) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_URL", "SQLITE_PATH", "BACKUP_KEY", "MEDIA_ROOT"))
    }
    environment |= {"BACKUP_KEY": key, "MEDIA_ROOT": str(media)}
    if connection.vendor == "sqlite":
        environment["SQLITE_PATH"] = database["NAME"]
    else:
        login = quote(database["USER"]) + (
            f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
        )
        address = f"{database['HOST']}:{database['PORT'] or 5432}"
        environment["DATABASE_URL"] = f"postgres://{login}@{address}/{database['NAME']}"
    return environment


def _rows(wrapper: BaseDatabaseWrapper) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, with binary values as bytes."""
    tables = {}
    with wrapper.cursor() as cursor:
        for table in sorted(wrapper.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            tables[table] = sorted(rows, key=repr)
    return tables


def _files(storage: Storage) -> dict[str, bytes]:
    files = {}
    for name in storage_names(storage):
        with storage.open(name, "rb") as stored:
            files[name] = stored.read()
    return files


def _migrations_rows_written_again() -> None:
    """An earlier transactional test may have flushed the database, and with it the rows the
    migrations wrote (the issue tags and skills the demo network draws on): written again."""
    seeding = importlib.import_module("rankandfile.accounts.migrations.0002_issue_tags_and_skills")
    seeding.add_tags(django_apps, connection.schema_editor())


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_gives_back_every_row_and_every_file(
    tmp_path: Path, settings: Settings, empty_database: dict[str, Any]
) -> None:
    _migrations_rows_written_again()
    key = backup_key_new()
    settings.BACKUP_KEY = key
    demo_network_load()
    before_rows = _rows(connection)
    before_files = _files(default_storage)
    # A real site's worth of data: members, groups, a campaign, pledges, resources and files.
    assert sum(1 for rows in before_rows.values() if rows) >= 40
    assert len(before_rows["campaigns_pledge"]) > 1000
    assert len(before_files) == Resource.objects.filter(kind="file").count() >= 5

    archive = tmp_path / "site.age"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"campaigns_pledge" not in archive.read_bytes()  # encrypted, not merely packed

    media = tmp_path / "restored-media"
    restored = subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "restore", str(archive)],
        env=_environment(empty_database, key, media),
        capture_output=True,
        text=True,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr
    assert f"and {len(before_files)} files" in restored.stdout

    # A connection to the restored database beside the tests' own (handed to `connections`
    # only because django.contrib.postgres looks its connections up there).
    target = type(connections[DEFAULT_DB_ALIAS])(empty_database, alias="restored")
    connections["restored"] = target
    try:
        after_rows = _rows(target)
    finally:
        target.close()
        del connections["restored"]
    assert sorted(after_rows) == sorted(before_rows)  # the same tables, by introspection
    for table, rows in before_rows.items():
        assert after_rows[table] == rows, f"{table} differs after the restore"
    assert _files(FileSystemStorage(location=media)) == before_files


def _archive(tmp_path: Path, key: str, manifest: dict[str, Any]) -> Path:
    """An archive as `backup` writes one, around the given manifest and an empty database."""
    plain = tmp_path / "backup.tar"
    with tarfile.open(plain, "w") as tar:
        for name, data in (("database", b""), ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "made.age"
    pyrage.encrypt_file(str(plain), str(archive), [backup_key_parse(key).recipient])
    return archive


def _manifest(**changes: Any) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "vendor": connection.vendor,
        "migrations": [],
        "created_at": "2026-12-07T00:00:00+00:00",
        "files": [],
    } | changes


def _restore_refused(archive: Path) -> str:
    tables = connection.introspection.table_names()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive))
    assert connection.introspection.table_names() == tables
    assert list(storage_names(default_storage)) == []
    return str(refused.value)


@pytest.mark.django_db(transaction=True)  # a backup runs outside any transaction
def test_a_backup_is_refused_with_another_key_and_nothing_changes(
    tmp_path: Path, settings: Settings
) -> None:
    settings.BACKUP_KEY = backup_key_new()
    archive = tmp_path / "site.age"
    call_command("backup", str(archive), stdout=io.StringIO())
    settings.BACKUP_KEY = backup_key_new()
    assert "This backup was not made with this key" in _restore_refused(archive)


@pytest.mark.django_db
def test_a_restore_is_refused_when_the_database_is_not_empty(
    tmp_path: Path, settings: Settings
) -> None:
    settings.BACKUP_KEY = backup_key_new()
    archive = _archive(tmp_path, settings.BACKUP_KEY, _manifest())
    assert "The database is not empty" in _restore_refused(archive)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": FORMAT_VERSION + 1}, "made by a newer version of Rank and File"),
        ({"vendor": "oracle"}, "This backup is of a oracle database"),
        ({"migrations": ["campaigns.9999_from_the_future"]}, "migrations this version does not"),
    ],
)
def test_a_restore_is_refused_for_a_newer_version_or_another_database(
    tmp_path: Path, settings: Settings, changes: dict[str, Any], message: str
) -> None:
    settings.BACKUP_KEY = backup_key_new()
    archive = _archive(tmp_path, settings.BACKUP_KEY, _manifest(**changes))
    assert message in _restore_refused(archive)


@pytest.mark.django_db(transaction=True)
def test_a_public_key_makes_backups_it_cannot_read(tmp_path: Path, settings: Settings) -> None:
    secret = backup_key_new()
    public = secret.split("# public key: ")[1].split("\n")[0]
    settings.BACKUP_KEY = public
    archive = tmp_path / "site.age"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert "cannot read them" in _restore_refused(archive)
    assert (archive.stat().st_mode & 0o777) == 0o600


def test_a_missing_or_malformed_key_is_named(tmp_path: Path, settings: Settings) -> None:
    settings.BACKUP_KEY = None
    with pytest.raises(CommandError, match=r"BACKUP_KEY .* is not set"):
        call_command("backup", str(tmp_path / "site.age"))
    settings.BACKUP_KEY = "correct horse battery staple"
    with pytest.raises(CommandError, match="BACKUP_KEY is not an age key"):
        call_command("backup", str(tmp_path / "site.age"))
    assert not (tmp_path / "site.age").exists()


def test_the_new_key_the_command_prints_is_a_key_backups_can_use() -> None:
    printed = io.StringIO()
    call_command("backup", "--new-key", stdout=printed)
    key = backup_key_parse(printed.getvalue())
    assert key.identity is not None
    assert f"# public key: {key.recipient}" in printed.getvalue()
