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
from rankandfile.resources import search


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": search.SQLITE_DROP, "postgresql": search.POSTGRESQL_DROP})


def create_first_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": search.SQLITE_CREATE, "postgresql": search.POSTGRESQL_CREATE})


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
