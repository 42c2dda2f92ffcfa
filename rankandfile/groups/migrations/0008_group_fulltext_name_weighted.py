from django.db import migrations

from rankandfile.lib.fulltext import CreateFullTextTable


class Migration(migrations.Migration):
    """The full-text table's vectors keep the name's words with weight A, so that "the name
    holds every word" is read from the table's index (rankandfile/lib/fulltext.py). Run again,
    the operation replaces the trigger and rewrites every row's vector."""

    dependencies = [("groups", "0007_group_affiliated_since")]

    operations = [CreateFullTextTable(model_name="group", fields=["name", "description"])]
