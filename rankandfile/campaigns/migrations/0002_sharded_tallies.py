"""Split each tally into TALLY_SHARDS rows (see models.TALLY_SHARDS), rebuilt from the pledges."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

SHARDS = 32  # models.TALLY_SHARDS when this migration was written


def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Count every existing pledge into its member's shard."""
    Stage = apps.get_model("campaigns", "Stage")
    Pledge = apps.get_model("campaigns", "Pledge")
    StageTally = apps.get_model("campaigns", "StageTally")
    OptionTally = apps.get_model("campaigns", "OptionTally")
    RegionTally = apps.get_model("campaigns", "RegionTally")
    Through = Pledge.options.through
    for stage in Stage.objects.all():
        accepting = stage.state == "open"
        shards = {n: StageTally(stage=stage, shard=n, accepting=accepting) for n in range(SHARDS)}
        options: dict[tuple[int, int], int] = {}
        regions: dict[tuple[str, int], int] = {}
        pledges = Pledge.objects.filter(stage=stage).values_list(
            "pk", "member_id", "verified", "amount_pence", "area", "confirmed_done"
        )
        shard_of = {}
        for pk, member_id, verified, amount, area, done in pledges.iterator():
            shard = member_id % SHARDS
            shard_of[pk] = shard
            row = shards[shard]
            row.pledges += 1
            row.verified_pledges += 1 if verified else 0
            row.amount_pence += amount or 0
            row.confirmed += 1 if done else 0
            regions[(area, shard)] = regions.get((area, shard), 0) + 1
        links = Through.objects.filter(pledge__stage=stage).values_list(
            "pledge_id", "pledgeoption_id"
        )
        for pledge_id, option_id in links.iterator():
            key = (option_id, shard_of[pledge_id])
            options[key] = options.get(key, 0) + 1
        StageTally.objects.bulk_create(shards.values())
        OptionTally.objects.bulk_create(
            OptionTally(option_id=o, shard=s, pledges=n) for (o, s), n in options.items()
        )
        RegionTally.objects.bulk_create(
            RegionTally(stage=stage, area=a, shard=s, pledges=n) for (a, s), n in regions.items()
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_campaigns_stages_pledges_and_tallies")]

    operations = [
        migrations.AlterField(
            model_name="pledge",
            name="stage",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="pledges",
                to="campaigns.stage",
            ),
        ),
        migrations.DeleteModel(name="StageTally"),
        migrations.DeleteModel(name="OptionTally"),
        migrations.DeleteModel(name="RegionTally"),
        migrations.CreateModel(
            name="StageTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("accepting", models.BooleanField(default=False)),
                ("pledges", models.PositiveIntegerField(default=0)),
                ("verified_pledges", models.PositiveIntegerField(default=0)),
                ("amount_pence", models.PositiveBigIntegerField(default=0)),
                ("confirmed", models.PositiveIntegerField(default=0)),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="campaigns.stage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stage", "shard"), name="campaigns_stage_tally_shard"
                    ),
                    models.CheckConstraint(
                        condition=Q(shard__lt=SHARDS), name="campaigns_stage_tally_shard_range"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OptionTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("pledges", models.PositiveIntegerField(default=0)),
                (
                    "option",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="campaigns.pledgeoption",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("option", "shard"), name="campaigns_option_tally_shard"
                    ),
                    models.CheckConstraint(
                        condition=Q(shard__lt=SHARDS), name="campaigns_option_tally_shard_range"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RegionTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("area", models.CharField(max_length=2)),
                ("shard", models.PositiveSmallIntegerField()),
                ("pledges", models.PositiveIntegerField(default=0)),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="region_tallies",
                        to="campaigns.stage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stage", "area", "shard"), name="campaigns_region_tally_shard"
                    ),
                    models.CheckConstraint(
                        condition=Q(shard__lt=SHARDS), name="campaigns_region_tally_shard_range"
                    ),
                ],
            },
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
