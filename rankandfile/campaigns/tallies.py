"""The running totals of pledges, and the one write that moves them with each pledge.

Every pledge updates tally rows, and a row's lock is held until the pledge commits. One row per
stage would make every pledge in a surge wait for the one before it to reach the disk, so each
tally is split into ``TALLY_SHARDS`` rows (see the models) and a member's pledge always moves the
shard ``member_id % TALLY_SHARDS``: totals are the sum of a fixed number of rows, read in
constant time, and exact under concurrent pledging.

A stage's shards carry ``accepting``: set when the stage opens, cleared by the deadline job,
which locks every shard to do so before it reads the totals. A pledge change moves its shard
only where ``accepting`` holds, under that shard's lock, so it is either counted by the job or
refused; none is lost.

On PostgreSQL a new pledge is one statement (``_pledge_sql_postgresql``), which for a pledge
through the API also checks the caller's token: a deadline-day surge costs one round trip per
pledge. On SQLite, which runs one writer at a time, a short transaction does the same.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from rankandfile.accounts.services import api_token_member_from
from rankandfile.campaigns.errors import ALREADY, CLOSED, AlreadyPledgedError, PledgingClosedError
from rankandfile.campaigns.models import (
    TALLY_SHARDS,
    Campaign,
    OptionTally,
    Pledge,
    RegionTally,
    Stage,
    StageState,
    StageTally,
    Vouch,
    tally_shard,
)
from rankandfile.lib.postcodes import AREA_PATTERN


def _table(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@functools.cache
def _add_one_on_conflict(model: type[models.Model], *columns: str) -> str:
    """The end of an upsert of a tally shard that already exists: count one more."""
    table = _table(model)
    return f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET pledges = {table}.pledges + 1"


def _vouched_sql(member: str) -> str:
    """Whether the member (an SQL expression) is vouched for by the group of campaign
    %(campaign)s."""
    return (
        f"EXISTS (SELECT 1 FROM {_table(Vouch)} v JOIN {_table(Campaign)} c "
        f"ON c.group_id = v.group_id WHERE c.id = %(campaign)s AND v.member_id = {member})"
    )


def _verified_email_sql(member: str) -> str:
    """Whether the member (an SQL expression) has a verified email address."""
    return (
        f"EXISTS (SELECT 1 FROM {_table(EmailAddress)} e WHERE e.user_id = {member} AND e.verified)"
    )


def tally_move(pledge: Pledge, option_ids: Sequence[int], sign: int) -> None:
    """Move the running totals by one pledge, in the pledger's own shard (``tally_shard``).

    The stage shard is updated first, always, and only while it is ``accepting``: every pledge
    change and the deadline job lock it in that order, so none deadlock; it orders changes
    within the shard, so the option and area rows that follow are never contended; and a
    change that waited for the deadline job finds the shard closed (PostgreSQL re-reads a row
    it waited for) and rolls back with PledgingClosedError. Additions create missing option and
    area shards (an upsert, on PostgreSQL and SQLite alike); subtractions find them there.
    """
    shard = tally_shard(pledge.member_id)
    verified = sign if pledge.verified else 0
    amount = sign * (pledge.amount_pence or 0)
    confirmed = sign if pledge.confirmed_done else 0
    options = sorted(set(option_ids))
    stage_table, option_table = _table(StageTally), _table(OptionTally)
    region_table = _table(RegionTally)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {stage_table} SET pledges = pledges + %s, "
            "verified_pledges = verified_pledges + %s, amount_pence = amount_pence + %s, "
            "confirmed = confirmed + %s WHERE stage_id = %s AND shard = %s AND accepting",
            [sign, verified, amount, confirmed, pledge.stage_id, shard],
        )
        if cursor.rowcount != 1:
            raise PledgingClosedError(CLOSED)
        if sign > 0:
            values = ", ".join(["(%s, %s, 1)"] * len(options))
            cursor.execute(
                f"INSERT INTO {option_table} (option_id, shard, pledges) VALUES {values} "
                + _add_one_on_conflict(OptionTally, "option_id", "shard"),
                [value for option_id in options for value in (option_id, shard)],
            )
            cursor.execute(
                f"INSERT INTO {region_table} (stage_id, area, shard, pledges) "
                "VALUES (%s, %s, %s, 1) "
                + _add_one_on_conflict(RegionTally, "stage_id", "area", "shard"),
                [pledge.stage_id, pledge.area, shard],
            )
        else:
            marks = ", ".join(["%s"] * len(options))
            cursor.execute(
                f"UPDATE {option_table} SET pledges = pledges - 1 "
                f"WHERE shard = %s AND option_id IN ({marks})",
                [shard, *options],
            )
            cursor.execute(
                f"UPDATE {region_table} SET pledges = pledges - 1 "
                "WHERE stage_id = %s AND area = %s AND shard = %s",
                [pledge.stage_id, pledge.area, shard],
            )


@functools.cache
def _pledge_insert_sql() -> str:
    """(SQLite) Insert a pledge only for a member with a verified email address and not twice
    (the one-pledge-each constraint decides); ``verified`` comes from the member's vouches in
    the campaign's group."""
    return (
        f"INSERT INTO {_table(Pledge)} "
        "(stage_id, member_id, amount_pence, verified, area, confirmed_done) "
        f"SELECT %(stage)s, %(member)s, %(amount)s, {_vouched_sql('%(member)s')}, %(area)s, "
        f"FALSE WHERE {_verified_email_sql('%(member)s')} "
        "ON CONFLICT (stage_id, member_id) DO NOTHING RETURNING id, verified"
    )


class Written(NamedTuple):
    """What the pledge statement found and did (see ``_pledge_sql_postgresql``)."""

    member_id: int
    area: str
    token_id: int | None  # the token that proved who the member is, if one did
    token_last_used: datetime | None
    pledge_id: int | None  # None: nothing was written
    verified: bool


def _pledge_write_postgresql(
    params: dict[str, int | str | list[int] | None], *, by_token: bool
) -> Written | None:
    """Run the pledge statement, in a savepoint if a transaction is open; None if the token
    given (``by_token``) belongs to no active member. A second pledge by the same member
    raises AlreadyPledgedError, with nothing written."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
                cursor.execute(_pledge_sql_postgresql(by_token), params)
                row = cursor.fetchone()
        else:
            with connection.cursor() as cursor:  # the statement is its own transaction
                cursor.execute(_pledge_sql_postgresql(by_token), params)
                row = cursor.fetchone()
    except IntegrityError as error:
        if "campaigns_one_pledge_each" in str(error):
            raise AlreadyPledgedError(ALREADY) from None
        raise
    if row is None:
        return None
    member_id, area, token_id, last_used, pledge_id, verified = row
    return Written(member_id, area, token_id, last_used, pledge_id, bool(verified))


@functools.cache
def _pledge_sql_postgresql(by_token: bool) -> str:
    """The whole pledge in one statement, so that a surge costs one round trip per pledge.

    ``m`` is the member: the one given (%(member)s, in %(area)s), or, ``by_token``, the active
    member whose API token has the digest %(token)s (``api_token_member_from``, as every API
    call checks its token), so that the pledge route needs no query of its own to check it.
    The statement's other parts run in the order their inputs force. ``s`` moves the member's
    stage tally shard, only if it is still ``accepting`` (re-read after any wait, so a pledge
    that waited for the deadline job finds it closed) and the member has a verified email
    address; that takes the shard's lock first, as ``tally_move`` does, so no two pledges
    deadlock. ``p`` inserts the pledge only after ``s``, so a second pledge by the same member
    breaks the one-pledge-each constraint and the whole statement, tallies and all, is undone.
    ``links``, ``o`` and ``r`` add the options and move the option and area shards. The answer
    is the member's row (none for an unknown token) with the pledge's, null if nothing was
    written: the stage is closed or the member not verified.
    """
    stage_table, option_table = _table(StageTally), _table(OptionTally)
    region_table = _table(RegionTally)
    if by_token:
        area = f"COALESCE(substring(u.postcode_district FROM '{AREA_PATTERN}'), '')"
        member = (
            f"SELECT u.id, {area} AS area, t.id AS token_id, t.last_used_at "
            + api_token_member_from("%(token)s", write=True)
        )
    else:
        member = (
            "SELECT %(member)s::bigint AS id, %(area)s::varchar AS area, "
            "NULL::bigint AS token_id, NULL::timestamptz AS last_used_at"
        )
    return (
        f"WITH m AS ({member}), "
        f"v AS (SELECT m.id, m.area, m.id %% {TALLY_SHARDS} AS shard, "
        f"{_vouched_sql('m.id')} AS vouched FROM m), "
        f"s AS (UPDATE {stage_table} t SET pledges = t.pledges + 1, "
        "verified_pledges = t.verified_pledges + CASE WHEN v.vouched THEN 1 ELSE 0 END, "
        "amount_pence = t.amount_pence + %(amount_or_zero)s FROM v "
        "WHERE t.stage_id = %(stage)s AND t.shard = v.shard AND t.accepting "
        f"AND {_verified_email_sql('v.id')} RETURNING v.id, v.area, v.shard, v.vouched), "
        f"p AS (INSERT INTO {_table(Pledge)} "
        "(stage_id, member_id, amount_pence, verified, area, confirmed_done) "
        "SELECT %(stage)s, s.id, %(amount)s, s.vouched, s.area, FALSE FROM s "
        "RETURNING id, verified), "
        f"links AS (INSERT INTO {_table(Pledge.options.through)} (pledge_id, pledgeoption_id) "
        "SELECT p.id, o FROM p, unnest(%(options)s::bigint[]) AS o), "
        f"o AS (INSERT INTO {option_table} (option_id, shard, pledges) "
        "SELECT o, s.shard, 1 FROM s, unnest(%(options)s::bigint[]) AS o ORDER BY o "
        f"{_add_one_on_conflict(OptionTally, 'option_id', 'shard')}), "
        f"r AS (INSERT INTO {region_table} (stage_id, area, shard, pledges) "
        "SELECT %(stage)s, s.area, s.shard, 1 FROM s "
        f"{_add_one_on_conflict(RegionTally, 'stage_id', 'area', 'shard')}) "
        "SELECT m.id, m.area, m.token_id, m.last_used_at, p.id, p.verified "
        "FROM m LEFT JOIN p ON TRUE"
    )


def _pledge_params(
    *, stage_id: int, campaign_id: int, amount_pence: int | None, option_ids: Sequence[int]
) -> dict[str, int | str | list[int] | None]:
    """The parameters of a pledge's write that do not say who the member is."""
    return {
        "stage": stage_id,
        "amount": amount_pence,
        "amount_or_zero": amount_pence or 0,
        "campaign": campaign_id,
        "options": sorted(option_ids),
    }


def pledge_write(pledge: Pledge, *, campaign_id: int, option_ids: Sequence[int]) -> bool:
    """Write the pledge, its options and the tallies; False if nothing was written."""
    params = _pledge_params(
        stage_id=pledge.stage_id,
        campaign_id=campaign_id,
        amount_pence=pledge.amount_pence,
        option_ids=option_ids,
    )
    params.update(member=pledge.member_id, area=pledge.area)
    if connection.vendor == "postgresql":
        found = _pledge_write_postgresql(params, by_token=False)
        assert found is not None  # the member given is always found
        written = None if found.pledge_id is None else (found.pledge_id, found.verified)
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            del params["options"]  # SQLite binds every parameter given, used or not
            cursor.execute(_pledge_insert_sql(), params)
            row = cursor.fetchone()
            written = (int(row[0]), bool(row[1])) if row else None
            if written is not None:
                cursor.executemany(
                    f"INSERT INTO {_table(Pledge.options.through)} "
                    "(pledge_id, pledgeoption_id) VALUES (%s, %s)",
                    [(written[0], option_id) for option_id in option_ids],
                )
                pledge.verified = written[1]
                tally_move(pledge, option_ids, +1)  # refuses, and so rolls back, if closed
    if written is None:
        return False
    pledge.pk, pledge.verified = written
    pledge._state.adding = False
    return True


def pledge_write_by_token(
    *,
    stage: Stage,
    token_digest: str,
    amount_pence: int | None,
    option_ids: Sequence[int],
) -> Written | None:
    """(PostgreSQL) Write a pledge for the active member whose API token has this digest, with
    its options and the tallies, in one statement that also checks the token. None if the
    token belongs to no active member (nothing written); else what was found and written."""
    params = _pledge_params(
        stage_id=stage.pk,
        campaign_id=stage.campaign_id,
        amount_pence=amount_pence,
        option_ids=option_ids,
    )
    params.update(token=token_digest)
    return _pledge_write_postgresql(params, by_token=True)


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
        OptionTally.objects.filter(option__stage=stage).delete()
        RegionTally.objects.filter(stage=stage).delete()
        OptionTally.objects.bulk_create(
            OptionTally(option_id=row["options"], shard=row["shard"], pledges=row["n"])
            for row in pledges.filter(options__isnull=False)
            .values("options", "shard")
            .annotate(n=Count("pk"))
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
