"""Reads about campaigns. Only aggregates: nothing here can list who pledged."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from cachetools import TTLCache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import (
    Campaign,
    CampaignState,
    OptionTally,
    Pledge,
    PledgeOption,
    RegionTally,
    Stage,
    StageState,
    StageTally,
    Vouch,
)
from rankandfile.groups.models import Group, Visibility

# Counts below this are never published, including any that could be worked out by subtraction.
SMALL_COUNT = 5


@dataclass(frozen=True)
class OptionCount:
    key: str
    label: str
    pledges: int


@dataclass(frozen=True)
class RegionCount:
    area: str  # "" stands for the suppressed remainder, published only when safe
    pledges: int


@dataclass(frozen=True)
class StageTotals:
    number: int
    state: str
    deadline: str
    threshold_people: int | None
    threshold_amount_pence: int | None
    pledges: int
    verified_pledges: int
    amount_pence: int
    confirmed: int
    options: list[OptionCount]


def campaign_find_public(*, slug: str) -> Campaign | None:
    """The campaign ``slug`` if anyone may see it (it is not a draft)."""
    return Campaign.objects.filter(slug=slug).exclude(state=CampaignState.DRAFT).first()


def campaign_get_public(*, slug: str) -> Campaign:
    campaign = campaign_find_public(slug=slug)
    if campaign is None:
        raise Http404("No such campaign")
    return campaign


def stage_current(campaign: Campaign) -> Stage | None:
    """The stage members are pledging to or deciding on; else the latest one that ran."""
    stages = list(campaign.stages.order_by("number"))
    for stage in stages:
        if stage.state in (StageState.OPEN, StageState.VERDICT):
            return stage
    started = [s for s in stages if s.state != StageState.PENDING]
    return started[-1] if started else (stages[0] if stages else None)


def stage_taking_pledges(campaign: Campaign) -> Stage | None:
    """The stage open for pledges now, if there is one."""
    stage = stage_current(campaign)
    return stage if stage is not None and stage.state == StageState.OPEN else None


# Kept in memory, per process, because a surge asks for them on every pledge:
# - a stage's options never change once the stage exists;
# - which stage of a campaign is taking pledges changes only at a deadline; a copy at most a
#   few seconds old is safe, because what decides is the ``accepting`` flag of the tally shard
#   that a pledge locks (see tallies.tally_move), never this copy.
_lock = threading.Lock()
_MISSING = object()  # an entry can expire between "in" and "[]": always ask with .get()
_options: TTLCache[int, dict[str, PledgeOption]] = TTLCache(maxsize=1024, ttl=60)
_open_stages: TTLCache[str, Stage | None] = TTLCache(maxsize=1024, ttl=2)
_counters: TTLCache[str, bytes | None] = TTLCache(maxsize=1024, ttl=1)


def _remembered[K, V](copies: TTLCache[K, V], key: K, build: Callable[[], V]) -> V:
    """The copy kept under ``key``, or a new one from ``build()`` (None is kept too)."""
    with _lock:
        kept = copies.get(key, _MISSING)
    if kept is not _MISSING:
        return cast(V, kept)
    value = build()
    with _lock:
        copies[key] = value
    return value


def stage_options(stage_id: int) -> dict[str, PledgeOption]:
    """The stage's pledge options by key."""
    return _remembered(
        _options,
        stage_id,
        lambda: {o.key: o for o in PledgeOption.objects.filter(stage_id=stage_id)},
    )


def stage_taking_pledges_by_slug(slug: str) -> Stage | None:
    """The stage of the public campaign ``slug`` that takes pledges now (a copy up to two
    seconds old)."""
    return _remembered(
        _open_stages,
        slug,
        lambda: (
            Stage.objects.select_related("campaign")
            .filter(campaign__slug=slug, state=StageState.OPEN)
            .exclude(campaign__state=CampaignState.DRAFT)
            .first()
        ),
    )


def in_memory_forget() -> None:
    """Drop the in-memory copies (each test starts from an empty database, whose ids repeat)."""
    with _lock:
        _options.clear()
        _open_stages.clear()
        _counters.clear()


def stage_totals(stage: Stage) -> StageTotals:
    """Constant time: a fixed number of tally shards per stage and per option, however many
    pledges there are."""
    tally = StageTally.objects.filter(stage=stage).aggregate(
        pledges=Coalesce(Sum("pledges"), 0),
        verified_pledges=Coalesce(Sum("verified_pledges"), 0),
        amount_pence=Coalesce(Sum("amount_pence"), 0),
        confirmed=Coalesce(Sum("confirmed"), 0),
    )
    by_option = dict(
        OptionTally.objects.filter(option__stage=stage)
        .values("option_id")
        .annotate(n=Sum("pledges"))
        .values_list("option_id", "n")
    )
    options = [
        OptionCount(key=o.key, label=o.label, pledges=by_option.get(o.pk, 0))
        for o in stage.options.all()
    ]
    return StageTotals(
        number=stage.number,
        state=stage.state,
        deadline=stage.deadline.isoformat(),
        threshold_people=stage.threshold_people,
        threshold_amount_pence=stage.threshold_amount_pence,
        pledges=tally["pledges"],
        verified_pledges=tally["verified_pledges"],
        amount_pence=tally["amount_pence"],
        confirmed=tally["confirmed"],
        options=options,
    )


def regional_counts(stage: Stage) -> list[RegionCount]:
    """Pledges per postcode area with small counts suppressed, safely.

    A region under the threshold is not shown. Because the total is public, the hidden
    remainder (total minus the regions shown) must itself be safe: it is hidden further, smallest
    region first, until it is zero or at least the threshold and made of two or more regions, so
    that no single region's count can be worked out by subtraction. The remainder is then shown
    as one "other areas" figure.
    """
    counts = sorted(
        (RegionCount(area=r.area or "?", pledges=r.pledges) for r in _regions(stage)),
        key=lambda r: (r.pledges, r.area),
    )
    hidden = [r for r in counts if r.pledges < SMALL_COUNT]
    shown = [r for r in counts if r.pledges >= SMALL_COUNT]
    while hidden and (sum(r.pledges for r in hidden) < SMALL_COUNT or len(hidden) < 2):
        if not shown:
            return []  # the whole stage is too small to break down at all
        hidden.append(shown.pop(0))
    if not shown:
        return []  # "other areas" alone would only repeat the total
    result = sorted(shown, key=lambda r: (-r.pledges, r.area))
    if hidden:
        result.append(RegionCount(area="", pledges=sum(r.pledges for r in hidden)))
    return result


def _regions(stage: Stage) -> list[RegionCount]:
    rows = (
        RegionTally.objects.filter(stage=stage)
        .values("area")
        .annotate(n=Sum("pledges"))
        .filter(n__gt=0)
        .values_list("area", "n")
    )
    return [RegionCount(area=area, pledges=n) for area, n in rows]


def public_count(value: int) -> int | None:
    """A published head count, or None when it is under the small-count threshold."""
    return value if value >= SMALL_COUNT else None


def pledge_of(*, stage: Stage, member: User) -> Pledge | None:
    """The member's own pledge: each member may see theirs, and only theirs."""
    return Pledge.objects.filter(stage=stage, member=member).prefetch_related("options").first()


def vouched_member_ids(group: Group) -> set[int]:
    return set(Vouch.objects.filter(group=group).values_list("member_id", flat=True))


def campaigns_public(*, group: Group | None = None) -> QuerySet[Campaign]:
    """Campaigns anyone may see (not drafts), open ones first."""
    campaigns = Campaign.objects.exclude(state=CampaignState.DRAFT).select_related("group")
    if group is not None:
        campaigns = campaigns.filter(group=group)
    else:
        # Listing a hidden group's campaign by group name would reveal that the group exists.
        campaigns = campaigns.exclude(group__visibility=Visibility.HIDDEN)
    return campaigns.order_by(
        models.Case(models.When(state=CampaignState.OPEN, then=0), default=1), "title"
    )


def campaign_counter(*, slug: str) -> dict[str, object] | None:
    """What the public JSON counter says; None for a campaign that is not public."""
    campaign = campaign_find_public(slug=slug)
    if campaign is None:
        return None
    stage = stage_current(campaign)
    totals = stage_totals(stage) if stage else None
    shown = totals is not None and totals.pledges >= SMALL_COUNT
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "state": campaign.state,
        "stage": totals.number if totals else None,
        "deadline": totals.deadline if totals else None,
        "pledges": totals.pledges if totals and shown else None,
        "amount_pence": totals.amount_pence if totals and shown else None,
    }


def campaign_counter_json(*, slug: str) -> bytes | None:
    """The public counter as JSON, built at most once a second per process: however hard it
    is asked, the database answers at most once a second, in constant time."""

    def build() -> bytes | None:
        payload = campaign_counter(slug=slug)
        return None if payload is None else json.dumps(payload, cls=DjangoJSONEncoder).encode()

    return _remembered(_counters, slug, build)
