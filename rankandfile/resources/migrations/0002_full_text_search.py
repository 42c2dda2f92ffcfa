"""Full-text search of resources: an FTS5 table kept in step by triggers on SQLite, a GIN index
on PostgreSQL (the statements are in resources/search.py, next to the queries they serve)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from rankandfile.resources import search


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": search.SQLITE_CREATE, "postgresql": search.POSTGRESQL_CREATE})


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": search.SQLITE_DROP, "postgresql": search.POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_resource_hub")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
