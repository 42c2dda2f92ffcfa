"""Queued messages' context (addresses, names, one-time links) encrypted at rest; existing rows
are encrypted in batches, the empty context stored as the empty string, and the reverse
decrypts them."""

from typing import Any

from django.db import migrations

import rankandfile.lib.fields
from rankandfile.lib.encrypted_rows import Column, Table, reencrypt_table

MESSAGES = Table("notifications_message", "id", (Column("context"),))


def encrypt(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("UPDATE notifications_message SET context = '' WHERE context = '{}'")
    reencrypt_table(schema_editor.connection, MESSAGES)


def decrypt(apps: Any, schema_editor: Any) -> None:
    reencrypt_table(schema_editor.connection, MESSAGES, decrypt=True)
    schema_editor.execute("UPDATE notifications_message SET context = '{}' WHERE context = ''")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_member_import_pending_csv")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="context",
            field=rankandfile.lib.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
