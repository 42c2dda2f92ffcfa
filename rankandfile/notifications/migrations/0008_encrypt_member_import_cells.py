"""Pending member imports' header and cells (people's names and addresses) encrypted at rest;
existing rows are encrypted in batches, the empty list stored as the empty string, and the
reverse decrypts them (0007 changed the columns' type)."""

from typing import Any

from django.db import migrations

from rankandfile.lib.encrypted_rows import Column, Table, reencrypt_table

IMPORTS = Table("notifications_memberimport", "id", (Column("header"), Column("rows")))


def encrypt(apps: Any, schema_editor: Any) -> None:
    for name in ("header", "rows"):
        column = schema_editor.quote_name(name)
        schema_editor.execute(
            f"UPDATE notifications_memberimport SET {column} = '' WHERE {column} = '[]'"
        )
    reencrypt_table(schema_editor.connection, IMPORTS)


def decrypt(apps: Any, schema_editor: Any) -> None:
    reencrypt_table(schema_editor.connection, IMPORTS, decrypt=True)
    for name in ("header", "rows"):
        column = schema_editor.quote_name(name)
        schema_editor.execute(
            f"UPDATE notifications_memberimport SET {column} = '[]' WHERE {column} = ''"
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_member_import_cells_as_encrypted_text")]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
