"""The hub's full-text index moves to the table of rankandfile/lib/fulltext.py, shared with the
group directory: on PostgreSQL a narrow table of stripped vectors (kept by a trigger, GIN
indexed) instead of a vector column in the resource's long row, which a search for a common
word read and decompressed row by row; on SQLite the FTS5 table is built again, the same.
And an index in the hub's order for members (helpful first), whose search page can then stop
at its 20th resource instead of sorting every match."""

import importlib

from django.db import migrations, models

from rankandfile.lib.fulltext import CreateFullTextTable

# The first form (migration 0002), whose statements are written out there as they ran: this
# migration drops it, and its reverse builds it again.
first_form = importlib.import_module("rankandfile.resources.migrations.0002_full_text_search")


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_full_text_search")]

    operations = [
        migrations.RunPython(first_form.drop, first_form.create, elidable=False),
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
