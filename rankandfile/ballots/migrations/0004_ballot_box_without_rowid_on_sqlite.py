"""On SQLite, rebuild the ballot box as a ``WITHOUT ROWID`` table keyed by the receipt hash.

An ordinary SQLite table keeps a hidden ``rowid`` that counts up as rows are inserted: in the
ballot box it would be the order in which the papers were cast, which a database administrator
could set beside the order of logins or of the roll. A ``WITHOUT ROWID`` table is stored in the
order of its primary key, here the receipt hash, which is random
(https://www.sqlite.org/withoutrowid.html). Django cannot declare such a table, so this
migration rebuilds it with the same columns, constraints and indexes (read back from
``sqlite_master``), and does nothing on PostgreSQL (which rewrites the box at the close instead:
see ``ballots.services.ballot_close``).
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "ballots_ballotpaper"
WITHOUT_ROWID = " WITHOUT ROWID"


def _rebuild(schema_editor: BaseDatabaseSchemaEditor, *, without_rowid: bool) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (create,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [TABLE],
        )
        indexes = [sql for (sql,) in cursor.fetchall()]
        create = create.removesuffix(WITHOUT_ROWID)
        if without_rowid:
            create += WITHOUT_ROWID
        new = f"{TABLE}__rebuilt"
        cursor.execute(create.replace(f'CREATE TABLE "{TABLE}"', f'CREATE TABLE "{new}"', 1))
        cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{TABLE}" ORDER BY receipt_hash')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{TABLE}"')
        for sql in indexes:
            cursor.execute(sql)


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rebuild(schema_editor, without_rowid=True)


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rebuild(schema_editor, without_rowid=False)


class Migration(migrations.Migration):
    dependencies = [
        ("ballots", "0003_ballot_early_close_roll_privacy_and_close_failure"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
