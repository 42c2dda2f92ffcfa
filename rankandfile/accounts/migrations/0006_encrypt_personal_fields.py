"""Members' email, display name and postcode district encrypted at rest, with HMAC digests for
log-in by email (unique) and matching by district. Existing rows are encrypted in batches; the
reverse decrypts them (rankandfile/lib/encrypted_rows.py)."""

from typing import Any

from django.core.validators import validate_email
from django.db import migrations

import rankandfile.accounts.models
import rankandfile.lib.fields
from rankandfile.lib.encrypted_rows import Column, Table, reencrypt_table

USERS = Table(
    "accounts_user",
    "id",
    (
        Column("email", "email_digest", lower_case=True),
        Column("display_name"),
        Column("postcode_district", "postcode_district_digest"),
    ),
)


def encrypt(apps: Any, schema_editor: Any) -> None:
    reencrypt_table(schema_editor.connection, USERS)


def decrypt(apps: Any, schema_editor: Any) -> None:
    reencrypt_table(schema_editor.connection, USERS, decrypt=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_network_coordinator_role")]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="accounts_user_email_lower_case"),
        migrations.AddField(
            model_name="user",
            name="email_digest",
            field=rankandfile.lib.fields.LookupDigestField(source="email", null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="postcode_district_digest",
            field=rankandfile.lib.fields.LookupDigestField(
                source="postcode_district", blank=True, db_index=True, default=""
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=rankandfile.lib.fields.EncryptedTextField(
                digest_field="email_digest",
                lower_case=True,
                max_length=254,
                validators=[validate_email],
                verbose_name="email address",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="display_name",
            field=rankandfile.lib.fields.EncryptedTextField(
                help_text="Shown to other members. It may be a pseudonym.", max_length=60
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="postcode_district",
            field=rankandfile.lib.fields.EncryptedTextField(
                blank=True,
                digest_field="postcode_district_digest",
                max_length=4,
                validators=[rankandfile.accounts.models.validate_postcode_district],
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="user",
            name="email_digest",
            field=rankandfile.lib.fields.LookupDigestField(source="email", unique=True),
        ),
    ]
