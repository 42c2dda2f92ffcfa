"""Introduction contacts' phone numbers, and introductions' district and message, encrypted at
rest; existing rows are encrypted in batches and the reverse decrypts them."""

from typing import Any

from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

import rankandfile.lib.fields
from rankandfile.lib.encrypted_rows import Column, Table, reencrypt_table

TABLES = [
    Table("introductions_introductioncontact", "id", (Column("phone"),)),
    Table("introductions_introduction", "id", (Column("district"), Column("message"))),
]


def encrypt(apps: Any, schema_editor: Any) -> None:
    for table in TABLES:
        reencrypt_table(schema_editor.connection, table)


def decrypt(apps: Any, schema_editor: Any) -> None:
    for table in TABLES:
        reencrypt_table(schema_editor.connection, table, decrypt=True)


class Migration(migrations.Migration):
    dependencies = [("introductions", "0001_introductions_contacts_and_requests")]

    operations = [
        migrations.RemoveConstraint(
            model_name="introduction", name="introductions_introduction_message_length"
        ),
        migrations.AlterField(
            model_name="introduction",
            name="district",
            field=rankandfile.lib.fields.EncryptedTextField(blank=True, max_length=4),
        ),
        migrations.AlterField(
            model_name="introduction",
            name="message",
            field=rankandfile.lib.fields.EncryptedTextField(max_length=500),
        ),
        migrations.AlterField(
            model_name="introductioncontact",
            name="phone",
            field=rankandfile.lib.fields.EncryptedTextField(blank=True, max_length=20),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AddConstraint(
            model_name="introduction",
            constraint=models.CheckConstraint(
                condition=models.Q(GreaterThan(Length("message"), 0)),
                name="introductions_introduction_message_not_empty",
            ),
        ),
    ]
