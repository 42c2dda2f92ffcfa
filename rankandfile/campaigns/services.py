"""Every write about pressure campaigns: the pledge ladder and its lifecycle.

    draft -> open -> at the deadline:
        threshold not reached -> released (every pledger told nobody acts; pledges void)
        threshold reached     -> verdict: a secret yes/no ballot of the stage's pledgers,
                                 "Have the demands been met?"
                                   yes -> won (the campaign becomes a permanent pressure group)
                                   no  -> triggered (every pledger gets their action pack at
                                          once; the next stage, if any, opens)

Each transition runs in one transaction that first locks every shard of the stage's tally, the
rows that pledge changes lock (each its own member's shard): a deadline is resolved exactly once,
a job that runs twice finds the work done, and a crash half-way rolls the whole transition back
so that the next run does it all.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from rankandfile.accounts.models import User
from rankandfile.campaigns import selectors
from rankandfile.campaigns.models import (
    TALLY_SHARDS,
    Campaign,
    CampaignState,
    Demand,
    DemandStatus,
    OptionTally,
    Pledge,
    PledgeOption,
    RegionTally,
    Stage,
    StageState,
    StageTally,
    Vouch,
    tally_shard,
)
from rankandfile.campaigns.verdicts import verdict_ballot_open, verdict_outcome
from rankandfile.groups.models import Group, Membership, Role
from rankandfile.lib.money import pounds
from rankandfile.lib.postcodes import postcode_area


class CampaignError(Exception):
    """An action the campaign's rules do not allow; the message is meant for the member."""


class AlreadyPledgedError(CampaignError):
    pass


class PledgingClosedError(CampaignError):
    pass


@dataclass(frozen=True)
class OptionInput:
    key: str
    label: str
    asks_amount: bool = False


@dataclass(frozen=True)
class StageInput:
    title: str
    deadline: datetime
    options: Sequence[OptionInput]
    action_instructions: str
    threshold_people: int | None = None
    threshold_amount_pence: int | None = None
    letter_template: str = ""
    verdict_days: int = 7
    verdict_quorum: int = 1
    act_within_days: int = 14


def _require_organiser(*, group: Group, member: User) -> None:
    if not Membership.objects.filter(group=group, member=member, role=Role.ORGANISER).exists():
        raise CampaignError("Only the group's organisers can run its campaigns.")


@transaction.atomic
def campaign_create(
    *,
    organiser: User,
    group: Group,
    title: str,
    target: str,
    explanation: str,
    demands: Sequence[str],
    stages: Sequence[StageInput],
) -> Campaign:
    """A draft campaign with its ordered demands and escalation ladder."""
    _require_organiser(group=group, member=organiser)
    if not demands:
        raise CampaignError("A campaign needs at least one demand.")
    if not stages:
        raise CampaignError("A campaign needs at least one stage.")
    deadlines = [s.deadline for s in stages]
    if deadlines != sorted(deadlines) or len(set(deadlines)) != len(deadlines):
        raise CampaignError("Each stage's deadline must come after the one before.")
    base = slugify(title)[:120] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    campaign = Campaign.objects.create(
        group=group,
        slug=slug,
        title=title.strip(),
        target=target.strip(),
        explanation=explanation.strip(),
    )
    Demand.objects.bulk_create(
        Demand(campaign=campaign, position=i, text=text.strip())
        for i, text in enumerate(demands, 1)
    )
    for number, spec in enumerate(stages, 1):
        if spec.threshold_people is None and spec.threshold_amount_pence is None:
            raise CampaignError(f"Stage {number} needs a threshold of people or of money.")
        if not spec.options:
            raise CampaignError(f"Stage {number} needs at least one pledge option.")
        stage = Stage.objects.create(
            campaign=campaign,
            number=number,
            title=spec.title.strip(),
            deadline=spec.deadline,
            threshold_people=spec.threshold_people,
            threshold_amount_pence=spec.threshold_amount_pence,
            action_instructions=spec.action_instructions.strip(),
            letter_template=spec.letter_template,
            verdict_days=spec.verdict_days,
            verdict_quorum=spec.verdict_quorum,
            act_within_days=spec.act_within_days,
        )
        StageTally.objects.bulk_create(
            StageTally(stage=stage, shard=n) for n in range(TALLY_SHARDS)
        )
        for position, option in enumerate(spec.options):
            PledgeOption.objects.create(
                stage=stage,
                key=option.key,
                label=option.label.strip(),
                asks_amount=option.asks_amount,
                position=position,
            )
    return campaign


@transaction.atomic
def campaign_open(*, campaign: Campaign, organiser: User, now: datetime | None = None) -> Campaign:
    _require_organiser(group=campaign.group, member=organiser)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state != CampaignState.DRAFT:
        raise CampaignError("This campaign is already open.")
    first = locked.stages.order_by("number").first()
    assert first is not None
    if first.deadline <= (now or timezone.now()):
        raise CampaignError("The first stage's deadline has already passed.")
    locked.state = CampaignState.OPEN
    locked.save(update_fields=["state"])
    _stage_start_taking_pledges(first.pk)
    return locked


def member_is_verified_account(member: User) -> bool:
    return bool(EmailAddress.objects.filter(user=member, verified=True).exists())


def _require_taking_pledges(stage: Stage, now: datetime) -> None:
    """A first check, on the caller's copy of the stage, for a clear answer. What counts is the
    ``accepting`` flag of the member's tally shard, read under its lock (see ``_tally_add``)."""
    if stage.state != StageState.OPEN or now >= stage.deadline:
        raise PledgingClosedError(CLOSED)


CLOSED = "This stage is not taking pledges: its deadline has passed."
ALREADY = "You have already pledged at this stage."


def _options_for(stage: Stage, keys: Iterable[str]) -> list[PledgeOption]:
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        raise CampaignError("Choose at least one action to pledge.")
    known = selectors.stage_options(stage.pk)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise CampaignError(f"Unknown pledge option: {', '.join(unknown)}.")
    return sorted((known[key] for key in wanted), key=lambda o: o.pk)


def _amount_for(options: list[PledgeOption], amount_pence: int | None) -> int | None:
    if any(o.asks_amount for o in options):
        if amount_pence is None or amount_pence <= 0:
            raise CampaignError("Enter the amount in pounds that you would claim back.")
        if amount_pence > 100_000_00:
            raise CampaignError("That amount is larger than any subscription refund could be.")
        return amount_pence
    return None


def _table(model: type[models.Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _tally_add(pledge: Pledge, option_ids: Sequence[int], sign: int) -> None:
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
                f"ON CONFLICT (option_id, shard) DO UPDATE "
                f"SET pledges = {option_table}.pledges + 1",
                [value for option_id in options for value in (option_id, shard)],
            )
            cursor.execute(
                f"INSERT INTO {region_table} (stage_id, area, shard, pledges) "
                f"VALUES (%s, %s, %s, 1) ON CONFLICT (stage_id, area, shard) DO UPDATE "
                f"SET pledges = {region_table}.pledges + 1",
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
        "SELECT %(stage)s, %(member)s, %(amount)s, EXISTS (SELECT 1 FROM "
        f"{_table(Vouch)} v JOIN {_table(Campaign)} c ON c.group_id = v.group_id "
        "WHERE c.id = %(campaign)s AND v.member_id = %(member)s), %(area)s, FALSE "
        f"WHERE EXISTS (SELECT 1 FROM {_table(EmailAddress)} e "
        "WHERE e.user_id = %(member)s AND e.verified) "
        "ON CONFLICT (stage_id, member_id) DO NOTHING RETURNING id, verified"
    )


def _pledge_write_postgresql(
    pledge: Pledge, params: dict[str, int | str | list[int] | None]
) -> tuple[int, bool] | None:
    """The whole pledge in one statement, so a surge costs one round trip per pledge.

    The statement's parts run in the order their inputs force. ``s`` moves the member's stage
    tally shard, only if it is still ``accepting`` (re-read after any wait, so a pledge that
    waited for the deadline job finds it closed) and the member has a verified email address;
    that takes the shard's lock first, as ``_tally_add`` does, so no two pledges deadlock.
    ``p`` inserts the pledge only after ``s``, so a second pledge by the same member breaks
    the one-pledge-each constraint and the whole statement, tallies and all, is undone
    (AlreadyPledgedError). ``links``, ``o`` and ``r`` add the options and move the option and
    area shards. When the stage is closed or the member not verified, nothing is written and
    the answer is None.
    """
    try:
        if connection.in_atomic_block:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
                cursor.execute(_pledge_sql_postgresql(), params)
                row = cursor.fetchone()
        else:
            with connection.cursor() as cursor:  # the statement is its own transaction
                cursor.execute(_pledge_sql_postgresql(), params)
                row = cursor.fetchone()
    except IntegrityError as error:
        if "campaigns_one_pledge_each" in str(error):
            raise AlreadyPledgedError(ALREADY) from None
        raise
    return (int(row[0]), bool(row[1])) if row else None


@functools.cache
def _pledge_sql_postgresql() -> str:
    stage_table, option_table = _table(StageTally), _table(OptionTally)
    region_table = _table(RegionTally)
    return (
        "WITH v AS (SELECT EXISTS (SELECT 1 FROM "
        f"{_table(Vouch)} v JOIN {_table(Campaign)} c ON c.group_id = v.group_id "
        "WHERE c.id = %(campaign)s AND v.member_id = %(member)s) AS vouched), "
        f"s AS (UPDATE {stage_table} t SET pledges = t.pledges + 1, "
        "verified_pledges = t.verified_pledges + CASE WHEN v.vouched THEN 1 ELSE 0 END, "
        "amount_pence = t.amount_pence + %(amount_or_zero)s FROM v "
        "WHERE t.stage_id = %(stage)s AND t.shard = %(shard)s AND t.accepting "
        f"AND EXISTS (SELECT 1 FROM {_table(EmailAddress)} e "
        "WHERE e.user_id = %(member)s AND e.verified) RETURNING v.vouched), "
        f"p AS (INSERT INTO {_table(Pledge)} "
        "(stage_id, member_id, amount_pence, verified, area, confirmed_done) "
        "SELECT %(stage)s, %(member)s, %(amount)s, s.vouched, %(area)s, FALSE FROM s "
        "RETURNING id, verified), "
        f"links AS (INSERT INTO {_table(Pledge.options.through)} (pledge_id, pledgeoption_id) "
        "SELECT p.id, o FROM p, unnest(%(options)s::bigint[]) AS o), "
        f"o AS (INSERT INTO {option_table} (option_id, shard, pledges) "
        "SELECT o, %(shard)s, 1 FROM s, unnest(%(options)s::bigint[]) AS o ORDER BY o "
        f"ON CONFLICT (option_id, shard) DO UPDATE SET pledges = {option_table}.pledges + 1), "
        f"r AS (INSERT INTO {region_table} (stage_id, area, shard, pledges) "
        "SELECT %(stage)s, %(area)s, %(shard)s, 1 FROM s "
        "ON CONFLICT (stage_id, area, shard) DO UPDATE "
        f"SET pledges = {region_table}.pledges + 1) "
        "SELECT id, verified FROM p"
    )


def _pledge_write(pledge: Pledge, *, campaign_id: int, option_ids: Sequence[int]) -> bool:
    """Write the pledge, its options and the tallies; False if nothing was written."""
    params: dict[str, int | str | list[int] | None] = {
        "stage": pledge.stage_id,
        "member": pledge.member_id,
        "amount": pledge.amount_pence,
        "amount_or_zero": pledge.amount_pence or 0,
        "campaign": campaign_id,
        "area": pledge.area,
        "shard": tally_shard(pledge.member_id),
        "options": sorted(option_ids),
    }
    if connection.vendor == "postgresql":
        written = _pledge_write_postgresql(pledge, params)
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
                _tally_add(pledge, option_ids, +1)  # refuses, and so rolls back, if closed
    if written is None:
        return False
    pledge.pk, pledge.verified = written
    pledge._state.adding = False
    return True


def _why_not_pledged(stage: Stage, member: User) -> CampaignError:
    shard = StageTally.objects.filter(stage=stage, shard=tally_shard(member.pk), accepting=True)
    if not shard.exists():
        return PledgingClosedError(CLOSED)
    if not member_is_verified_account(member):
        return CampaignError("Verify your email address before you pledge.")
    return AlreadyPledgedError(ALREADY)


def _option_ids(pledge: Pledge) -> list[int]:
    return list(
        Pledge.options.through.objects.filter(pledge_id=pledge.pk).values_list(
            "pledgeoption_id", flat=True
        )
    )


def pledge_create(
    *,
    stage: Stage,
    member: User,
    option_keys: Iterable[str],
    amount_pence: int | None = None,
    now: datetime | None = None,
) -> Pledge:
    """Pledge to one or more options of an open stage. One pledge per member per stage.

    Built for the deadline-day surge: on PostgreSQL one statement writes the pledge, its
    options and the tallies (see ``_pledge_write_postgresql``); on SQLite a short transaction
    does the same. The only contended lock, the member's tally shard, is held for that
    statement and the commit.
    """
    now = now or timezone.now()
    _require_taking_pledges(stage, now)
    options = _options_for(stage, option_keys)
    pledge = Pledge(
        stage=stage,
        member=member,
        amount_pence=_amount_for(options, amount_pence),
        area=postcode_area(member.postcode_district),
    )
    if not _pledge_write(pledge, campaign_id=stage.campaign_id, option_ids=[o.pk for o in options]):
        raise _why_not_pledged(stage, member)
    return pledge


def _own_pledge_locked(*, stage: Stage, member: User) -> Pledge:
    pledge = Pledge.objects.select_for_update().filter(stage=stage, member=member).first()
    if pledge is None:
        raise CampaignError("You have not pledged at this stage.")
    return pledge


@transaction.atomic
def pledge_update(
    *,
    stage: Stage,
    member: User,
    option_keys: Iterable[str],
    amount_pence: int | None = None,
    now: datetime | None = None,
) -> Pledge:
    now = now or timezone.now()
    _require_taking_pledges(stage, now)
    pledge = _own_pledge_locked(stage=stage, member=member)
    options = _options_for(stage, option_keys)
    amount = _amount_for(options, amount_pence)
    _tally_add(pledge, _option_ids(pledge), -1)
    pledge.amount_pence = amount
    pledge.save(update_fields=["amount_pence"])
    pledge.options.set(options)
    _tally_add(pledge, [o.pk for o in options], +1)
    return pledge


@transaction.atomic
def pledge_withdraw(*, stage: Stage, member: User, now: datetime | None = None) -> None:
    now = now or timezone.now()
    _require_taking_pledges(stage, now)
    pledge = _own_pledge_locked(stage=stage, member=member)
    _tally_add(pledge, _option_ids(pledge), -1)
    pledge.delete()


def tallies_rebuild(stage: Stage) -> None:
    """Recount a stage's tallies from its pledge rows (for bulk-loaded pledges: the demo and
    the benchmarks). Locks every shard first, as the deadline job does."""
    with transaction.atomic():
        list(StageTally.objects.select_for_update().filter(stage=stage).order_by("shard"))
        StageTally.objects.filter(stage=stage).delete()
        OptionTally.objects.filter(option__stage=stage).delete()
        RegionTally.objects.filter(stage=stage).delete()
        accepting = Stage.objects.get(pk=stage.pk).state == StageState.OPEN
        shards = {
            n: StageTally(stage=stage, shard=n, accepting=accepting) for n in range(TALLY_SHARDS)
        }
        for row in (
            Pledge.objects.filter(stage=stage)
            .annotate(shard=F("member_id") % TALLY_SHARDS)
            .values("shard")
            .annotate(
                n=Count("pk"),
                verified=Count("pk", filter=Q(verified=True)),
                amount=Coalesce(Sum("amount_pence"), 0),
                done=Count("pk", filter=Q(confirmed_done=True)),
            )
        ):
            tally = shards[row["shard"]]
            tally.pledges, tally.verified_pledges = row["n"], row["verified"]
            tally.amount_pence, tally.confirmed = row["amount"], row["done"]
        StageTally.objects.bulk_create(shards.values())
        pledges = Pledge.objects.filter(stage=stage).annotate(shard=F("member_id") % TALLY_SHARDS)
        OptionTally.objects.bulk_create(
            OptionTally(option_id=row["options"], shard=row["shard"], pledges=row["n"])
            for row in pledges.filter(options__isnull=False)
            .values("options", "shard")
            .annotate(n=Count("pk"))
        )
        RegionTally.objects.bulk_create(
            RegionTally(stage=stage, area=row["area"], shard=row["shard"], pledges=row["n"])
            for row in Pledge.objects.filter(stage=stage)
            .annotate(shard=F("member_id") % TALLY_SHARDS)
            .values("area", "shard")
            .annotate(n=Count("pk"))
        )


def _stage_start_taking_pledges(stage_id: int) -> None:
    Stage.objects.filter(pk=stage_id).update(state=StageState.OPEN)
    StageTally.objects.filter(stage_id=stage_id).update(accepting=True)


def _stage_tallies_locked(stage_id: int) -> StageTally:
    """Lock every shard of the stage's tally (in shard order) and return their sum."""
    shards = list(
        StageTally.objects.select_for_update().filter(stage_id=stage_id).order_by("shard")
    )
    return StageTally(
        stage_id=stage_id,
        shard=0,
        pledges=sum(t.pledges for t in shards),
        verified_pledges=sum(t.verified_pledges for t in shards),
        amount_pence=sum(t.amount_pence for t in shards),
        confirmed=sum(t.confirmed for t in shards),
    )


@transaction.atomic
def vouch_create(*, group: Group, organiser: User, member: User) -> Vouch:
    """An organiser vouches for a member of their group: that member's pledges count as verified."""
    _require_organiser(group=group, member=organiser)
    if not Membership.objects.filter(group=group, member=member).exists():
        raise CampaignError("You can vouch only for members of your group.")
    vouch, _ = Vouch.objects.get_or_create(
        group=group, member=member, defaults={"vouched_by": organiser}
    )
    return vouch


@transaction.atomic
def demand_status_set(*, demand: Demand, organiser: User, status: DemandStatus) -> Demand:
    """Record the members' decision on a demand (taken by ballot)."""
    _require_organiser(group=demand.campaign.group, member=organiser)
    demand.status = status
    demand.save(update_fields=["status"])
    return demand


def threshold_reached(stage: Stage, tally: StageTally) -> bool:
    """Reached when every threshold the stage sets is met (people and/or money)."""
    people = stage.threshold_people is None or tally.pledges >= stage.threshold_people
    money = (
        stage.threshold_amount_pence is None or tally.amount_pence >= stage.threshold_amount_pence
    )
    return people and money


def act_by(stage: Stage) -> datetime:
    assert stage.triggered_at is not None
    return stage.triggered_at + timedelta(days=stage.act_within_days)


def _pledgers(stage: Stage) -> list[int]:
    return list(
        Pledge.objects.filter(stage=stage).order_by("member_id").values_list("member_id", flat=True)
    )


def _notify_pledgers(*, stage: Stage, event: str, template: str, extra: dict[str, object]) -> int:
    """One service message per pledger, keyed by stage and event: re-running queues nothing new."""
    from rankandfile.notifications.models import MessageClass
    from rankandfile.notifications.services import messages_fan_out

    amounts = dict(Pledge.objects.filter(stage=stage).values_list("member_id", "amount_pence"))
    campaign = stage.campaign

    def personalise(member_id: int) -> dict[str, object]:
        return {"amount": pounds(amounts.get(member_id))}

    return messages_fan_out(
        key_prefix=f"campaign:{campaign.pk}:stage:{stage.number}:{event}",
        kind=MessageClass.SERVICE,
        template=template,
        recipients=User.objects.filter(
            pk__in=Pledge.objects.filter(stage=stage).values("member_id")
        ),
        context={
            "campaign_title": campaign.title,
            "campaign_slug": campaign.slug,
            "stage_number": stage.number,
            "stage_title": stage.title,
            **extra,
        },
        group=campaign.group,
        personalise=personalise,
    )


VERDICT_QUESTION = "Have the demands been met?"


@transaction.atomic
def stage_resolve_deadline(*, stage_id: int, now: datetime | None = None) -> str:
    """At the deadline: release the stage, or put the demands to the pledgers' verdict.

    Idempotent: a second run, or a run before the deadline, changes nothing and returns the
    stage's state. A crash inside rolls back the state change and every queued message together.
    """
    now = now or timezone.now()
    tally = _stage_tallies_locked(stage_id)
    stage = Stage.objects.select_related("campaign").get(pk=stage_id)
    if stage.state != StageState.OPEN or now < stage.deadline:
        return stage.state
    StageTally.objects.filter(stage_id=stage_id).update(accepting=False)
    campaign = stage.campaign
    if not threshold_reached(stage, tally):
        stage.state = StageState.RELEASED
        stage.save(update_fields=["state"])
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.RELEASED)
        _notify_pledgers(stage=stage, event="released", template="pledge_released", extra={})
        return stage.state
    ballot = verdict_ballot_open(
        group=campaign.group,
        title=f"{campaign.title}, stage {stage.number}: {VERDICT_QUESTION}",
        question=VERDICT_QUESTION,
        quorum=stage.verdict_quorum,
        opens_at=now,
        closes_at=now + timedelta(days=stage.verdict_days),
        member_ids=_pledgers(stage),
    )
    stage.state = StageState.VERDICT
    stage.verdict_ballot = ballot
    stage.save(update_fields=["state", "verdict_ballot"])
    return stage.state


@transaction.atomic
def stage_resolve_verdict(*, stage_id: int, now: datetime | None = None) -> str:
    """After the verdict ballot is counted: won, or triggered (and the next stage opens).

    "Yes, the demands were met" must carry the ballot (with its quorum) for the campaign to be
    won; a "no" or an inquorate verdict leaves the demands unmet, so the stage is triggered.
    """
    now = now or timezone.now()
    _stage_tallies_locked(stage_id)
    stage = Stage.objects.select_related("campaign", "verdict_ballot").get(pk=stage_id)
    if stage.state != StageState.VERDICT or stage.verdict_ballot is None:
        return stage.state
    outcome = verdict_outcome(stage.verdict_ballot)
    if outcome is None:  # not yet counted
        return stage.state
    campaign = stage.campaign
    if outcome == "carried":
        stage.state = StageState.WON
        stage.save(update_fields=["state"])
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.WON)
        _notify_pledgers(stage=stage, event="won", template="campaign_won", extra={})
        return stage.state
    stage.state = StageState.TRIGGERED
    stage.triggered_at = now
    stage.save(update_fields=["state", "triggered_at"])
    _notify_pledgers(
        stage=stage,
        event="triggered",
        template="pledge_triggered",
        extra={
            "act_by": act_by(stage).isoformat(),
            "instructions": stage.action_instructions,
            "action_pack_url": settings.SITE_ROOT
            + reverse(
                "campaigns:action_pack", kwargs={"slug": campaign.slug, "number": stage.number}
            ),
        },
    )
    following = campaign.stages.filter(number=stage.number + 1).first()
    if following is not None and following.deadline > now:
        _stage_start_taking_pledges(following.pk)
    else:
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.TRIGGERED)
    return stage.state


@transaction.atomic
def pledge_confirm_done(*, stage: Stage, member: User) -> Pledge:
    """The member confirms "I have done it" from their action pack."""
    shard = StageTally.objects.filter(stage_id=stage.pk, shard=tally_shard(member.pk))
    list(shard.select_for_update())
    pledge = Pledge.objects.filter(stage=stage, member=member).first()
    if pledge is None or Stage.objects.get(pk=stage.pk).state != StageState.TRIGGERED:
        raise CampaignError("There is no action pack for you at this stage.")
    if not pledge.confirmed_done:
        pledge.confirmed_done = True
        pledge.save(update_fields=["confirmed_done"])
        shard.update(confirmed=F("confirmed") + 1)
    return pledge


def stages_resolve_due(*, now: datetime | None = None) -> int:
    """Resolve every stage whose deadline has passed; safe to run as often as you like."""
    now = now or timezone.now()
    due = Stage.objects.filter(state=StageState.OPEN, deadline__lte=now).values_list(
        "pk", flat=True
    )
    for stage_id in list(due):
        stage_resolve_deadline(stage_id=stage_id, now=now)
    verdicts = Stage.objects.filter(state=StageState.VERDICT).values_list("pk", flat=True)
    for stage_id in list(verdicts):
        stage_resolve_verdict(stage_id=stage_id, now=now)
    return len(due)


def letter_fill(*, stage: Stage, display_name: str, amount: str) -> str:
    """The stage's letter with the pledger's own details; only these three fields are filled."""
    letter = stage.letter_template
    fields = {
        "display_name": display_name,
        "amount": amount,
        "act_by": f"{act_by(stage):%-d %B %Y}",
    }
    for name, value in fields.items():
        letter = letter.replace("{" + name + "}", value)
    return letter
