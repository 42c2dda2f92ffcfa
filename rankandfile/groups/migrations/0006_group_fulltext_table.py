"""The directory's full-text index moves to a table of its own (see rankandfile/lib/fulltext.py):
on PostgreSQL the GIN index on the expression is dropped for a narrow table of stripped vectors
kept by a trigger; on SQLite the FTS5 table is built again, the same."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rankandfile.lib.fulltext import CreateFullTextTable

# The first form's statements (migration 0003), written out as they ran: this migration drops
# them, and its reverse runs them again.
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
    dependencies = [("groups", "0005_affiliation_applications_decisions_and_leaving")]

    operations = [
        migrations.RunPython(drop_first_index, create_first_index, elidable=False),
        CreateFullTextTable(model_name="group", fields=["name", "description"]),
    ]
