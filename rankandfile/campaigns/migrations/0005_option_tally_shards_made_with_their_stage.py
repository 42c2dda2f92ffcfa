"""Every option's tally shards exist from its stage's creation (see tallies.tally_move): make
the ones that pledges have not made yet, at zero, for the stages made before."""

from django.db import migrations

TALLY_SHARDS = 32  # campaigns.models.TALLY_SHARDS when this was written


def option_shards_make(apps, schema_editor):  # type: ignore[no-untyped-def]
    PledgeOption = apps.get_model("campaigns", "PledgeOption")
    OptionTally = apps.get_model("campaigns", "OptionTally")
    existing = set(OptionTally.objects.values_list("option_id", "shard"))
    OptionTally.objects.bulk_create(
        OptionTally(option_id=option_id, shard=n, pledges=0)
        for option_id in PledgeOption.objects.values_list("pk", flat=True).iterator()
        for n in range(TALLY_SHARDS)
        if (option_id, n) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_stage_verdict_quorum_is_a_share_of_pledgers")]

    operations = [migrations.RunPython(option_shards_make, migrations.RunPython.noop)]
