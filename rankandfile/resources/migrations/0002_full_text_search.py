"""Full-text search of resources, in its first form: an FTS5 table kept in step by triggers on
SQLite; on PostgreSQL a vector column (``search_vector``) filled by a trigger and GIN indexed.
Migration 0003 replaces both with the table of rankandfile/lib/fulltext.py. The statements are
written out here, as they ran, so that this migration needs nothing from the app's code."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FTS_TABLE = "resources_resource_fts"
CONFIG = "english"
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_document, "
    "content='resources_resource', content_rowid='id', tokenize='porter unicode61')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON resources_resource BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON resources_resource BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_document ON resources_resource "
    f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRESQL_CREATE = [
    "CREATE FUNCTION resources_resource_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN NEW.search_vector := strip(to_tsvector('pg_catalog.{CONFIG}', "
    "COALESCE(NEW.search_document, ''))); RETURN NEW; END $$",
    f"CREATE TRIGGER {FTS_TABLE}_vector BEFORE INSERT OR UPDATE OF search_document "
    "ON resources_resource FOR EACH ROW EXECUTE FUNCTION resources_resource_search_vector()",
    "UPDATE resources_resource SET search_document = search_document",
    f"CREATE INDEX {FTS_TABLE} ON resources_resource USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    f"DROP INDEX IF EXISTS {FTS_TABLE}",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_vector ON resources_resource",
    "DROP FUNCTION IF EXISTS resources_resource_search_vector()",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_resource_hub")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
