"""The hub's full-text index moves to the table of rankandfile/lib/fulltext.py, shared with the
group directory: on PostgreSQL a narrow table of stripped vectors (kept by a trigger, GIN
indexed) instead of a vector column in the resource's long row, which a search for a common
word read and decompressed row by row; on SQLite the FTS5 table is built again, the same.
And an index in the hub's order for members (helpful first), whose search page can then stop
at its 20th resource instead of sorting every match."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rankandfile.lib.fulltext import CreateFullTextTable

# The first form's statements (migration 0002), written out as they ran: this migration drops
# them, and its reverse runs them again.
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


def drop_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


def create_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_full_text_search")]

    operations = [
        migrations.RunPython(drop_first_index, create_first_index, elidable=False),
        migrations.RemoveField(model_name="resource", name="search_vector"),
        CreateFullTextTable(model_name="resource", fields=["search_document"]),
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                models.OrderBy(models.F("helpful_count"), descending=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="resources_helpful_order",
            ),
        ),
    ]
