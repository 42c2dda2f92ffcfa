"""The running totals of pledges, and the writes that move them with each pledge.

Every pledge updates tally rows, and a row's lock is held until the pledge commits. One row per
stage would make every pledge in a surge wait for the one before it to reach the disk, so each
tally is split into ``TALLY_SHARDS`` rows (see the models) and a member's pledge always moves the
shard ``member_id % TALLY_SHARDS``: totals are the sum of a fixed number of rows, read in
constant time, and exact under concurrent pledging.

A stage's shards carry ``accepting``: set when the stage opens, cleared by the deadline job,
which locks every shard to do so before it reads the totals. A pledge change moves its shard
only where ``accepting`` holds, under that shard's lock, so it is either counted by the job or
refused; none is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from rankandfile.campaigns.errors import CLOSED, PledgingClosedError
from rankandfile.campaigns.models import (
    TALLY_SHARDS,
    OptionTally,
    Pledge,
    PledgeOption,
    RegionTally,
    Stage,
    StageState,
    StageTally,
    tally_shard,
)


def tally_move(pledge: Pledge, option_ids: Sequence[int], sign: int) -> None:
    """Move the running totals by one pledge, in the pledger's own shard (``tally_shard``).
    Call it inside the transaction that writes the pledge.

    The stage shard is updated first, always, and only while it is ``accepting``: every pledge
    change and the deadline job lock it in that order, so none deadlock; it orders changes
    within the shard, so the option and area rows that follow are never contended; and a
    change that waited for the deadline job finds the shard closed (PostgreSQL re-reads a row
    it waited for) and raises PledgingClosedError, which rolls the change back.

    Option shards exist from the stage's creation. An area's shard is made by the first pledge
    from that area in the shard: under the stage shard's lock, so no other pledge can make it
    at the same time.
    """
    shard = tally_shard(pledge.member_id)
    moved = StageTally.objects.filter(stage_id=pledge.stage_id, shard=shard, accepting=True).update(
        pledges=F("pledges") + sign,
        verified_pledges=F("verified_pledges") + (sign if pledge.verified else 0),
        amount_pence=F("amount_pence") + sign * (pledge.amount_pence or 0),
        confirmed=F("confirmed") + (sign if pledge.confirmed_done else 0),
    )
    if moved != 1:
        raise PledgingClosedError(CLOSED)
    OptionTally.objects.filter(option_id__in=option_ids, shard=shard).update(
        pledges=F("pledges") + sign
    )
    area = RegionTally.objects.filter(stage_id=pledge.stage_id, area=pledge.area, shard=shard)
    if not area.update(pledges=F("pledges") + sign):
        assert sign > 0, "a pledge taken back was counted in its area"
        RegionTally.objects.create(
            stage_id=pledge.stage_id, area=pledge.area, shard=shard, pledges=1
        )


def option_shards_create(options: Sequence[PledgeOption]) -> None:
    """Every shard of each option's tally, at zero: made with the stage, as its own are."""
    OptionTally.objects.bulk_create(
        OptionTally(option=option, shard=n) for option in options for n in range(TALLY_SHARDS)
    )


def tallies_rebuild(stage: Stage) -> None:
    """Recount a stage's tallies from its pledge rows (for bulk-loaded pledges: the demo and
    the benchmarks). Locks every shard first, as the deadline job does, and rewrites the stage
    shards in place, so that a pledge waiting for one of them finds it afterwards."""
    with transaction.atomic():
        existing = {tally.shard: tally for tally in _stage_shards_locked(stage.pk)}
        accepting = Stage.objects.get(pk=stage.pk).state == StageState.OPEN
        shards = {
            n: existing.get(n) or StageTally(stage=stage, shard=n) for n in range(TALLY_SHARDS)
        }
        for tally in shards.values():
            tally.accepting = accepting
            tally.pledges = tally.verified_pledges = tally.amount_pence = tally.confirmed = 0
        pledges = Pledge.objects.filter(stage=stage).annotate(shard=F("member_id") % TALLY_SHARDS)
        for row in pledges.values("shard").annotate(
            n=Count("pk"),
            verified=Count("pk", filter=Q(verified=True)),
            amount=Coalesce(Sum("amount_pence"), 0),
            done=Count("pk", filter=Q(confirmed_done=True)),
        ):
            tally = shards[row["shard"]]
            tally.pledges, tally.verified_pledges = row["n"], row["verified"]
            tally.amount_pence, tally.confirmed = row["amount"], row["done"]
        fields = ["accepting", "pledges", "verified_pledges", "amount_pence", "confirmed"]
        StageTally.objects.bulk_update([t for t in shards.values() if t.pk], fields)
        StageTally.objects.bulk_create([t for t in shards.values() if not t.pk])
        # No pledge can be moving these now: each would hold its stage shard, all locked here.
        counts = {
            (row["options"], row["shard"]): row["n"]
            for row in pledges.filter(options__isnull=False)
            .values("options", "shard")
            .annotate(n=Count("pk"))
        }
        OptionTally.objects.filter(option__stage=stage).delete()
        RegionTally.objects.filter(stage=stage).delete()
        OptionTally.objects.bulk_create(
            OptionTally(option=option, shard=n, pledges=counts.get((option.pk, n), 0))
            for option in PledgeOption.objects.filter(stage=stage)
            for n in range(TALLY_SHARDS)
        )
        RegionTally.objects.bulk_create(
            RegionTally(stage=stage, area=row["area"], shard=row["shard"], pledges=row["n"])
            for row in pledges.values("area", "shard").annotate(n=Count("pk"))
        )


def _stage_shards_locked(stage_id: int) -> list[StageTally]:
    """Every shard of the stage's tally, locked in shard order: the one order in which the
    deadline job and a recount take them all, so that neither deadlocks with the other."""
    return list(StageTally.objects.select_for_update().filter(stage_id=stage_id).order_by("shard"))


def stage_tallies_locked(stage_id: int) -> StageTally:
    """Lock every shard of the stage's tally (in shard order) and return their sum."""
    shards = _stage_shards_locked(stage_id)
    return StageTally(
        stage_id=stage_id,
        shard=0,
        pledges=sum(t.pledges for t in shards),
        verified_pledges=sum(t.verified_pledges for t in shards),
        amount_pence=sum(t.amount_pence for t in shards),
        confirmed=sum(t.confirmed for t in shards),
    )
