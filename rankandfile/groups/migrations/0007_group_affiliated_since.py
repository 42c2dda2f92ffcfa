from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def affiliated_since_fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Each group approved by the network gets the date of that decision."""
    Affiliation = apps.get_model("groups", "Affiliation")
    Group = apps.get_model("groups", "Group")
    for group_id, decided_at in Affiliation.objects.filter(status="approved").values_list(
        "group_id", "decided_at"
    ):
        Group.objects.filter(pk=group_id).update(affiliated_since=decided_at)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0006_group_fulltext_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="affiliated_since",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(affiliated_since_fill, migrations.RunPython.noop),
    ]
