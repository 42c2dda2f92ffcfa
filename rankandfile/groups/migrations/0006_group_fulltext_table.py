"""The directory's full-text index moves to a table of its own (see rankandfile/lib/fulltext.py):
on PostgreSQL the GIN index on the expression is dropped for a narrow table of stripped vectors
kept by a trigger; on SQLite the FTS5 table is built again, the same."""

import importlib

from django.db import migrations

from rankandfile.lib.fulltext import CreateFullTextTable

# The first form (migration 0003), whose statements are written out there as they ran: this
# migration drops it, and its reverse builds it again.
first_form = importlib.import_module("rankandfile.groups.migrations.0003_group_fulltext_index")


class Migration(migrations.Migration):
    dependencies = [("groups", "0005_affiliation_applications_decisions_and_leaving")]

    operations = [
        migrations.RunPython(
            first_form.drop_first_index, first_form.create_first_index, elidable=False
        ),
        CreateFullTextTable(model_name="group", fields=["name", "description"]),
    ]
