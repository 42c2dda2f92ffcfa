from django.db import migrations

from rankandfile.lib.fulltext import CreateFullTextIndex


class Migration(migrations.Migration):
    """The full-text index of the directory's search: an FTS5 table kept in step by triggers
    on SQLite, a GIN index on PostgreSQL (see rankandfile/lib/fulltext.py)."""

    dependencies = [("groups", "0002_district_places_on_the_sphere")]

    operations = [CreateFullTextIndex(model_name="group", fields=["name", "description"])]
