"""Reads about campaigns. Only aggregates: nothing here can list who pledged."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import (
    Count,
    OuterRef,
    PositiveBigIntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.ballots.models import BallotState, RollEntry
from rankandfile.campaigns.figures import (
    AMOUNT_CAP_PENCE,
    OTHER_AREAS,
    SMALL_COUNT,
    ExactFigures,
    areas_by_postcode_area,
)
from rankandfile.campaigns.models import (
    Campaign,
    CampaignState,
    OptionTally,
    Pledge,
    PledgeOption,
    RegionTally,
    Stage,
    StageRelease,
    StageState,
    StageTally,
    Vouch,
)
from rankandfile.groups.models import Group, Membership, Visibility


@dataclass(frozen=True)
class OptionCount:
    key: str
    label: str
    pledges: int


@dataclass(frozen=True)
class OptionFigure:
    key: str
    label: str
    pledges: int | None  # None: withheld, or not yet released


@dataclass(frozen=True)
class AreaFigure:
    area: str  # OTHER_AREAS ("") for the areas too small to list, counted together
    pledges: int | None  # None: withheld


@dataclass(frozen=True)
class StageTotals:
    """A stage's exact totals, summed over its tally shards."""

    pledges: int
    verified_pledges: int
    amount_pence: int
    confirmed: int
    options: list[OptionCount]


@dataclass(frozen=True)
class StagePublished:
    """A stage's published figures: the people count live, the rest from its last release."""

    number: int
    state: str
    deadline: str
    threshold_people: int | None
    threshold_amount_pence: int | None
    people: int | None  # live and exact; None under 5
    as_of: datetime | None  # when the figures below were released; None: not yet
    verified: int | None
    confirmed: int | None
    amount_pence: int | None
    options: list[OptionFigure]
    areas: list[AreaFigure]  # the areas listed on their own whose count is shown
    areas_withheld: list[str]  # the areas listed on their own with fewer than 5
    other_areas: AreaFigure | None  # every other area together, if areas are listed at all


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
    return stage_current_among(list(campaign.stages.order_by("number")))


def _with_people(stages: QuerySet[Stage]) -> QuerySet[Stage]:
    """``stages``, each with ``people``: its live people count, summed from its few tally
    shards in the same query (None before anyone pledged)."""
    tallies = StageTally.objects.filter(stage=OuterRef("pk")).values("stage")
    return stages.annotate(people=Subquery(tallies.annotate(n=Sum("pledges")).values("n")))


def campaign_stages(campaign: Campaign) -> list[Stage]:
    """The campaign's stages in order, each with its options and ``people``: read once for a
    whole page."""
    return list(_with_people(campaign.stages.order_by("number")).prefetch_related("options"))


def stage_current_among(stages: list[Stage]) -> Stage | None:
    """``stage_current`` of a campaign whose stages, in order, are ``stages``."""
    for stage in stages:
        if stage.state in (StageState.OPEN, StageState.VERDICT):
            return stage
    started = [s for s in stages if s.state != StageState.PENDING]
    return started[-1] if started else (stages[0] if stages else None)


def stage_taking_pledges(campaign: Campaign) -> Stage | None:
    """The stage open for pledges now, if there is one."""
    stage = stage_current(campaign)
    return stage if stage is not None and stage.state == StageState.OPEN else None


# Copies in Django's cache, because a surge asks for them on every pledge:
# - a stage's options never change once the stage exists;
# - which stage of a campaign is taking pledges changes only at a deadline; a copy at most a
#   few seconds old is safe, because what decides is the ``accepting`` flag of the tally shard
#   that a pledge locks (see tallies.tally_move), never this copy.
# Each reader gets its own copy of what is kept (the cache stores values, not objects).
OPTIONS_SECONDS = 60
OPEN_STAGE_SECONDS = 2
COUNTER_SECONDS = 1


def _slug_key(slug: str, what: str) -> str:
    """The cache key of ``what`` for the campaign a URL names by ``slug``. The slug is as it
    was asked for (any length, any characters through the API), so the key holds its hash:
    short and plain whatever was asked, as memcached needs."""
    digest = hashlib.sha256(slug.encode()).hexdigest()
    return f"campaigns:campaign:{digest}:{what}"


def stage_options(stage_id: int) -> dict[str, PledgeOption]:
    """The stage's pledge options by key."""
    options = cache.get_or_set(
        f"campaigns:stage:{stage_id}:options",
        lambda: {o.key: o for o in PledgeOption.objects.filter(stage_id=stage_id)},
        OPTIONS_SECONDS,
    )
    assert isinstance(options, dict)  # never None: a dict, empty or not, is what is kept
    return options


def stage_taking_pledges_by_slug(slug: str) -> Stage | None:
    """The stage of the public campaign ``slug`` that takes pledges now (a copy up to two
    seconds old)."""
    stage: Stage | None = cache.get_or_set(
        _slug_key(slug, "open-stage"),
        lambda: (
            Stage.objects.select_related("campaign")
            .filter(campaign__slug=slug, state=StageState.OPEN)
            .exclude(campaign__state=CampaignState.DRAFT)
            .first()
        ),
        OPEN_STAGE_SECONDS,
    )
    return stage


def stage_totals(stage: Stage) -> StageTotals:
    """The stage's exact totals, for the platform's own use (the release job, tests): never
    published as they are; pages read ``stage_published``. Constant time: a fixed number of
    tally shards per stage and per option, however many pledges there are."""
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
        pledges=tally["pledges"],
        verified_pledges=tally["verified_pledges"],
        amount_pence=tally["amount_pence"],
        confirmed=tally["confirmed"],
        options=options,
    )


def stage_people(stage: Stage) -> int:
    """The exact number of people pledged now: the one figure published live (see
    SECURITY.md, "Published figures")."""
    total = StageTally.objects.filter(stage=stage).aggregate(n=Coalesce(Sum("pledges"), 0))
    return int(total["n"])


def stage_exact_figures(stage: Stage) -> ExactFigures:
    """Everything the release job draws a stage's published breakdown from. Exact, so never
    shown as it is; read by the release job only, at most every few minutes (the amounts, capped
    per pledge, and the members per district are read from their rows)."""
    totals = stage_totals(stage)
    capped = Least("amount_pence", Value(AMOUNT_CAP_PENCE, output_field=PositiveBigIntegerField()))
    amount = Pledge.objects.filter(stage=stage, amount_pence__isnull=False).aggregate(
        n=Coalesce(Sum(capped), 0)
    )
    areas = (
        RegionTally.objects.filter(stage=stage)
        .values("area")
        .annotate(n=Sum("pledges"))
        .values_list("area", "n")
    )
    districts = (
        User.objects.filter(is_active=True)
        .exclude(postcode_district="")
        .values("postcode_district")
        .annotate(n=Count("pk"))
        .values_list("postcode_district", "n")
    )
    return ExactFigures(
        people=totals.pledges,
        verified=totals.verified_pledges,
        confirmed=totals.confirmed,
        amount_capped_pence=int(amount["n"]),
        options={o.key: o.pledges for o in totals.options},
        amount_options=frozenset(o.key for o in stage.options.all() if o.asks_amount),
        areas=dict(areas),
        members_by_area=areas_by_postcode_area(districts),
    )


def stage_published(stage: Stage) -> StagePublished:
    """What every page, the counter and the API publish about a stage: the live people count,
    and the breakdown of the last release, the same at every reading until the next one."""
    release = StageRelease.objects.filter(stage=stage).first()
    released_options = release.options if release else {}
    options = [
        OptionFigure(key=o.key, label=o.label, pledges=released_options.get(o.key))
        for o in stage.options.all()
    ]
    areas = [AreaFigure(area=area, pledges=n) for area, n in (release.areas if release else [])]
    return StagePublished(
        number=stage.number,
        state=stage.state,
        deadline=stage.deadline.isoformat(),
        threshold_people=stage.threshold_people,
        threshold_amount_pence=stage.threshold_amount_pence,
        people=public_count(stage_people(stage)),
        as_of=release.released_at if release else None,
        verified=release.verified if release else None,
        confirmed=release.confirmed if release else None,
        amount_pence=release.amount_pence if release else None,
        options=options,
        areas=[a for a in areas if a.pledges is not None and a.area != OTHER_AREAS],
        areas_withheld=[a.area for a in areas if a.pledges is None and a.area != OTHER_AREAS],
        other_areas=next((a for a in areas if a.area == OTHER_AREAS), None),
    )


def public_count(value: int) -> int | None:
    """A published head count, or None when it is under the small-count threshold."""
    return value if value >= SMALL_COUNT else None


def pledge_of(*, stage: Stage, member: User) -> Pledge | None:
    """The member's own pledge: each member may see theirs, and only theirs."""
    return Pledge.objects.filter(stage=stage, member=member).prefetch_related("options").first()


def vouched_member_ids_query(group: Group) -> QuerySet[Vouch, Any]:
    """The ids of the members the group's organisers vouched for, as a subquery (the
    organisers' member table, ``groups.selectors.group_members_for_organiser``)."""
    return Vouch.objects.filter(group=group).values("member_id")


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
    """What the public JSON counter says (the figures of ``stage_published`` that it shows);
    None for a campaign that is not public. Three queries: the campaign, its stages with their
    people counts, the current stage's last release."""
    campaign = campaign_find_public(slug=slug)
    if campaign is None:
        return None
    stage = stage_current_among(list(_with_people(campaign.stages.order_by("number"))))
    if stage is None:
        release = None
    else:
        release = (
            StageRelease.objects.filter(stage=stage).only("amount_pence", "released_at").first()
        )
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "state": campaign.state,
        "stage": stage.number if stage else None,
        "deadline": stage.deadline.isoformat() if stage else None,
        "pledges": public_count(stage.people or 0) if stage else None,  # type: ignore[attr-defined]
        "amount_pence": release.amount_pence if release else None,
        "figures_as_of": release.released_at if release else None,
    }


def campaign_counter_json(*, slug: str) -> bytes | None:
    """The public counter as JSON, built at most once a second per cache: however hard it
    is asked, the database answers at most once a second, in constant time."""

    def build() -> bytes | None:
        payload = campaign_counter(slug=slug)
        return None if payload is None else json.dumps(payload, cls=DjangoJSONEncoder).encode()

    counter: bytes | None = cache.get_or_set(_slug_key(slug, "counter"), build, COUNTER_SECONDS)
    return counter


# Lists of campaigns: the /campaigns/ page and a member's home page ----------------------------

# The states a listed campaign can be in (a draft is seen only on its organisers' page).
LISTED_STATES = [
    (CampaignState.OPEN, "Open for pledges"),
    (CampaignState.WON, "Won"),
    (CampaignState.RELEASED, "Released"),
    (CampaignState.TRIGGERED, "Triggered"),
]


def _open_first() -> models.Case:
    return models.Case(models.When(state=CampaignState.OPEN, then=0), default=1)


def campaigns_listed(*, viewer: User | AnonymousUser, state: str = "") -> QuerySet[Campaign]:
    """The campaigns the viewer may see in a list, in ``state`` if given, open ones first.

    No drafts (their page does not exist but for organisers). A hidden group's campaigns only
    for its members: listing one, with its group's name, would reveal that the group exists.
    """
    visible = ~Q(group__visibility=Visibility.HIDDEN)
    if isinstance(viewer, User):
        visible |= Q(group_id__in=Membership.objects.filter(member=viewer).values("group_id"))
    campaigns = Campaign.objects.exclude(state=CampaignState.DRAFT).filter(visible)
    if state:
        campaigns = campaigns.filter(state=state)
    return campaigns.select_related("group").order_by(_open_first(), "title", "pk")


def campaigns_open_of_member_groups(member: User) -> QuerySet[Campaign]:
    """The open campaigns of the groups the member is in."""
    groups = Membership.objects.filter(member=member).values("group_id")
    return (
        Campaign.objects.filter(state=CampaignState.OPEN, group_id__in=groups)
        .select_related("group")
        .order_by("title", "pk")
    )


@dataclass(frozen=True)
class CampaignRow:
    """A campaign as a list shows it: what the campaign page says at its top."""

    campaign: Campaign
    stage: Stage | None  # the stage taking pledges or deciding now, else the latest that ran
    next_deadline: datetime | None  # when pledging closes, or the verdict; None: nothing due
    verdict: bool  # next_deadline is the close of the members' verdict
    people: int | None  # the live people count of the stage; None under 5


def campaign_rows(campaigns: Sequence[Campaign]) -> list[CampaignRow]:
    """Each campaign with its current stage, next deadline and published people count, in
    one query whatever the number of campaigns (each stage's people summed from its few tally
    shards)."""
    stages: dict[int, list[Stage]] = defaultdict(list)
    for each in (
        _with_people(Stage.objects.filter(campaign__in=[c.pk for c in campaigns]))
        .select_related("verdict_ballot")
        .order_by("campaign_id", "number")
    ):
        stages[each.campaign_id].append(each)
    rows = []
    for campaign in campaigns:
        stage = stage_current_among(stages[campaign.pk])
        deadline, verdict = _next_deadline(campaign, stage)
        rows.append(
            CampaignRow(
                campaign=campaign,
                stage=stage,
                next_deadline=deadline,
                verdict=verdict,
                people=public_count(stage.people or 0) if stage else None,  # type: ignore[attr-defined]
            )
        )
    return rows


def _next_deadline(campaign: Campaign, stage: Stage | None) -> tuple[datetime | None, bool]:
    if campaign.state != CampaignState.OPEN or stage is None:
        return None, False
    if stage.state == StageState.OPEN:
        return stage.deadline, False
    if stage.state == StageState.VERDICT and stage.verdict_ballot is not None:
        return stage.verdict_ballot.closes_at, True
    return None, False


# What needs a member now: only ever their own pledges ------------------------------------------


@dataclass(frozen=True)
class ActionPackDue:
    campaign: Campaign
    stage: Stage
    act_by: datetime


@dataclass(frozen=True)
class PledgesNeedingMember:
    """What the member's home page shows of their own pledges."""

    # At stages taking pledges or awaiting the pledgers' verdict, the soonest deadline first.
    waiting: list[Pledge]
    # At triggered stages, not yet confirmed as acted on, while there is still time to act,
    # the soonest first.
    action_packs: list[ActionPackDue]


def pledges_needing_member(member: User, *, now: datetime | None = None) -> PledgesNeedingMember:
    """The member's own pledges that wait on a deadline or a verdict, and those whose action
    pack is due: one query for both."""
    now = now or timezone.now()
    waiting = Q(
        stage__campaign__state=CampaignState.OPEN,
        stage__state__in=[StageState.OPEN, StageState.VERDICT],
    )
    to_act = Q(stage__state=StageState.TRIGGERED, confirmed_done=False)
    pledges = (
        Pledge.objects.filter(waiting | to_act, member=member)
        .select_related("stage__campaign", "stage__verdict_ballot")
        .order_by("stage__deadline", "pk")
    )
    found = PledgesNeedingMember(waiting=[], action_packs=[])
    for pledge in pledges:
        stage = pledge.stage
        if stage.state != StageState.TRIGGERED:
            found.waiting.append(pledge)
        elif stage.triggered_at is not None:
            # As services.act_by, which this module cannot import (services import selectors).
            act_by = stage.triggered_at + timedelta(days=stage.act_within_days)
            if act_by > now:
                found.action_packs.append(
                    ActionPackDue(campaign=stage.campaign, stage=stage, act_by=act_by)
                )
    found.action_packs.sort(key=lambda due: due.act_by)
    return found


# A member's own pledges at stages that have stopped taking pledges ----------------------------

CLOSED_STATES = [StageState.RELEASED, StageState.VERDICT, StageState.TRIGGERED, StageState.WON]


@dataclass(frozen=True)
class PledgeOutcome:
    """One of the member's own pledges at a stage that has closed, and what became of it."""

    pledge: Pledge
    stage: Stage
    options: list[PledgeOption]
    may_vote: bool  # verdict open, the member is on its roll and has not voted yet
    has_voted: bool  # verdict open and the member has voted


def pledge_outcomes(*, campaign: Campaign, member: User) -> list[PledgeOutcome]:
    """The member's own pledges at the campaign's closed stages (released, in verdict,
    triggered, won), in stage order: only ever theirs. Three queries, however many stages."""
    pledges = list(
        Pledge.objects.filter(
            member=member, stage__campaign=campaign, stage__state__in=CLOSED_STATES
        )
        .select_related("stage__verdict_ballot")
        .prefetch_related("options")
        .order_by("stage__number")
    )
    ballot_ids = [
        p.stage.verdict_ballot_id
        for p in pledges
        if p.stage.state == StageState.VERDICT and p.stage.verdict_ballot_id is not None
    ]
    voted: dict[int, bool] = {}
    if ballot_ids:
        voted = dict(
            RollEntry.objects.filter(
                ballot_id__in=ballot_ids, ballot__state=BallotState.OPEN, member=member
            ).values_list("ballot_id", "has_voted")
        )
    outcomes = []
    for pledge in pledges:
        has_voted = voted.get(pledge.stage.verdict_ballot_id or 0)
        outcomes.append(
            PledgeOutcome(
                pledge=pledge,
                stage=pledge.stage,
                options=list(pledge.options.all()),
                may_vote=has_voted is False,
                has_voted=has_voted is True,
            )
        )
    return outcomes
