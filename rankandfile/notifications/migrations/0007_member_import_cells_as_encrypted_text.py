"""Pending member imports' header and cells become encrypted JSON text columns; 0008 encrypts
the rows. Two migrations, so that on PostgreSQL the reverse's row updates are committed before
the column type changes back (ALTER TABLE refuses a table with pending trigger events)."""

from django.db import migrations

import rankandfile.lib.fields


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_encrypt_message_context")]

    operations = [
        migrations.AlterField(
            model_name="memberimport",
            name="header",
            field=rankandfile.lib.fields.EncryptedJSONListField(default=list),
        ),
        migrations.AlterField(
            model_name="memberimport",
            name="rows",
            field=rankandfile.lib.fields.EncryptedJSONListField(default=list),
        ),
    ]
