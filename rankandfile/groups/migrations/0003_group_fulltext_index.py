"""The full-text index of the directory's search, in its first form: an FTS5 table kept in step
by triggers on SQLite, a GIN index on the ``to_tsvector`` expression on PostgreSQL. Migration
0006 replaces it with the table of rankandfile/lib/fulltext.py. The statements are written out
here, as they ran, so that this migration needs nothing from the app's code."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_CREATE = [
    'CREATE VIRTUAL TABLE IF NOT EXISTS "groups_group_fts" USING fts5("name", "description", '
    'content="groups_group", content_rowid="id", '
    "tokenize='porter unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS "groups_group_fts_insert" AFTER INSERT ON "groups_group" '
    'BEGIN INSERT INTO "groups_group_fts"(rowid, "name", "description") '
    'VALUES (new."id", new."name", new."description"); END',
    'CREATE TRIGGER IF NOT EXISTS "groups_group_fts_delete" AFTER DELETE ON "groups_group" '
    'BEGIN INSERT INTO "groups_group_fts"("groups_group_fts", rowid, "name", "description") '
    'VALUES (\'delete\', old."id", old."name", old."description"); END',
    'CREATE TRIGGER IF NOT EXISTS "groups_group_fts_update" AFTER UPDATE ON "groups_group" '
    'BEGIN INSERT INTO "groups_group_fts"("groups_group_fts", rowid, "name", "description") '
    'VALUES (\'delete\', old."id", old."name", old."description"); '
    'INSERT INTO "groups_group_fts"(rowid, "name", "description") '
    'VALUES (new."id", new."name", new."description"); END',
    """INSERT INTO "groups_group_fts"("groups_group_fts") VALUES ('rebuild')""",
]
SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS "groups_group_fts_insert"',
    'DROP TRIGGER IF EXISTS "groups_group_fts_delete"',
    'DROP TRIGGER IF EXISTS "groups_group_fts_update"',
    'DROP TABLE IF EXISTS "groups_group_fts"',
]
POSTGRESQL_CREATE = [
    'CREATE INDEX "groups_group_fulltext" ON "groups_group" USING gin '
    "((to_tsvector('english'::regconfig, "
    """COALESCE("name", '') || ' ' || COALESCE("description", ''))))""",
]
POSTGRESQL_DROP = ['DROP INDEX IF EXISTS "groups_group_fulltext"']


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_district_places_on_the_sphere")]

    operations = [migrations.RunPython(create_first_index, drop_first_index, elidable=False)]
