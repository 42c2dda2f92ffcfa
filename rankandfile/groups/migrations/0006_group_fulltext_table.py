from django.db import migrations

from rankandfile.lib.fulltext import CreateFullTextTable, RemoveFullTextIndex


class Migration(migrations.Migration):
    """The directory's full-text index moves to a table of its own (see
    rankandfile/lib/fulltext.py): on PostgreSQL the GIN index on the expression is dropped
    for a narrow table of stripped vectors kept by a trigger; on SQLite the FTS5 table is
    built again, the same."""

    dependencies = [("groups", "0005_affiliation_applications_decisions_and_leaving")]

    operations = [
        RemoveFullTextIndex(model_name="group", fields=["name", "description"]),
        CreateFullTextTable(model_name="group", fields=["name", "description"]),
    ]
