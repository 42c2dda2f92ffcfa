from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, Q


def tokens_expire_90_days_after_creation(apps, schema_editor):
    """Tokens made before expiry existed expire 90 days after they were made (at once, if
    that is past); they keep the reading and writing they had."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.update(expires_at=F("created_at") + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_personal_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[
                    ("read", "Read only"),
                    ("read_write", "Read and write (pledge, withdraw a pledge, vote)"),
                ],
                default="read_write",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(tokens_expire_90_days_after_creation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=Q(scope__in=["read", "read_write"]),
                name="accounts_apitoken_scope_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="accounts_apitoken_expires_after_created",
            ),
        ),
    ]
