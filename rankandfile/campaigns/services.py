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

Drafts (create, update, delete) are written in ``drafts``; their names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.campaigns import selectors
from rankandfile.campaigns.drafts import OptionInput as OptionInput
from rankandfile.campaigns.drafts import StageInput as StageInput
from rankandfile.campaigns.drafts import campaign_audit, require_organiser
from rankandfile.campaigns.drafts import campaign_create as campaign_create
from rankandfile.campaigns.drafts import campaign_delete as campaign_delete
from rankandfile.campaigns.drafts import campaign_update as campaign_update
from rankandfile.campaigns.errors import (
    ALREADY,
    CLOSED,
    AlreadyPledgedError,
    CampaignError,
    PledgingClosedError,
)
from rankandfile.campaigns.figures import Noise, figures_draw, laplace_noise
from rankandfile.campaigns.models import (
    PLEDGE_AMOUNT_MOST_PENCE,
    Campaign,
    CampaignState,
    Demand,
    DemandStatus,
    Pledge,
    PledgeOption,
    Stage,
    StageRelease,
    StageState,
    StageTally,
    Vouch,
    tally_shard,
)
from rankandfile.campaigns.tallies import stage_tallies_locked, tally_move
from rankandfile.campaigns.verdicts import verdict_ballot_open, verdict_outcome
from rankandfile.groups.models import Group, Membership
from rankandfile.lib.money import pounds
from rankandfile.lib.postcodes import postcode_area
from rankandfile.lib.urls import absolute_url


@transaction.atomic
def campaign_open(*, campaign: Campaign, organiser: User, now: datetime | None = None) -> Campaign:
    require_organiser(group=campaign.group, member=organiser)
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
    campaign_audit(campaign=locked, organiser=organiser, action="campaign.opened")
    return locked


def member_is_verified_account(member: User) -> bool:
    return bool(EmailAddress.objects.filter(user=member, verified=True).exists())


def _require_taking_pledges(stage: Stage, now: datetime) -> None:
    """A first check, on the caller's copy of the stage, for a clear answer. What counts is
    the ``accepting`` flag of the member's tally shard, read under its lock (see
    ``tallies.tally_move``)."""
    if stage.state != StageState.OPEN or now >= stage.deadline:
        raise PledgingClosedError(CLOSED)


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
        if amount_pence > PLEDGE_AMOUNT_MOST_PENCE:
            raise CampaignError("That amount is larger than any subscription refund could be.")
        return amount_pence
    return None


def option_ids_of(pledge: Pledge) -> list[int]:
    return list(
        Pledge.options.through.objects.filter(pledge_id=pledge.pk).values_list(
            "pledgeoption_id", flat=True
        )
    )


def _pledge_terms(
    stage: Stage, option_keys: Iterable[str], amount_pence: int | None, now: datetime | None = None
) -> tuple[list[PledgeOption], int | None]:
    """What every pledge, new or changed, is checked for before it is written (the stage takes
    pledges, the options are the stage's, an amount is given where one is asked): its options
    and its amount."""
    _require_taking_pledges(stage, now or timezone.now())
    options = _options_for(stage, option_keys)
    return options, _amount_for(options, amount_pence)


def pledge_create(
    *,
    stage: Stage,
    member: User,
    option_keys: Iterable[str],
    amount_pence: int | None = None,
    now: datetime | None = None,
) -> Pledge:
    """Pledge to one or more options of an open stage. One pledge per member per stage.

    The pledge, its options and the tallies are written in one transaction. The only
    contended lock, the member's tally shard (``tallies.tally_move``), is taken first and held
    to the commit. A second pledge by the same member breaks the one-pledge-each constraint,
    which rolls back the tallies moved with it.
    """
    options, amount = _pledge_terms(stage, option_keys, amount_pence, now)
    email_verified, vouched = (
        User.objects.filter(pk=member.pk)
        .values_list(
            Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            Exists(Vouch.objects.filter(member=OuterRef("pk"), group__campaigns=stage.campaign_id)),
        )
        .get()
    )
    if not email_verified:
        raise CampaignError("Verify your email address before you pledge.")
    pledge = Pledge(
        stage=stage,
        member=member,
        amount_pence=amount,
        verified=vouched,
        area=postcode_area(member.postcode_district),
    )
    try:
        with transaction.atomic():
            tally_move(pledge, [o.pk for o in options], +1)  # raises if the stage has closed
            pledge.save(force_insert=True)
            Pledge.options.through.objects.bulk_create(
                Pledge.options.through(pledge_id=pledge.pk, pledgeoption_id=o.pk) for o in options
            )
    except IntegrityError:
        # Rolled back to before the pledge: ask the one-pledge-each constraint's question.
        if Pledge.objects.filter(stage=stage, member=member).exists():
            raise AlreadyPledgedError(ALREADY) from None
        raise
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
) -> Pledge:
    """Change the member's pledge at this stage: its options and amount, tallies moved with it."""
    options, amount = _pledge_terms(stage, option_keys, amount_pence)
    pledge = _own_pledge_locked(stage=stage, member=member)
    tally_move(pledge, option_ids_of(pledge), -1)
    pledge.amount_pence = amount
    pledge.save(update_fields=["amount_pence"])
    pledge.options.set(options)
    tally_move(pledge, [o.pk for o in options], +1)
    return pledge


@transaction.atomic
def pledge_withdraw(*, stage: Stage, member: User, now: datetime | None = None) -> None:
    now = now or timezone.now()
    _require_taking_pledges(stage, now)
    pledge = _own_pledge_locked(stage=stage, member=member)
    tally_move(pledge, option_ids_of(pledge), -1)
    pledge.delete()


def _stage_start_taking_pledges(stage_id: int) -> None:
    Stage.objects.filter(pk=stage_id).update(state=StageState.OPEN)
    StageTally.objects.filter(stage_id=stage_id).update(accepting=True)


@transaction.atomic
def vouch_create(*, group: Group, organiser: User, member: User) -> Vouch:
    """An organiser vouches for a member of their group: that member's pledges count as verified."""
    require_organiser(group=group, member=organiser)
    if not Membership.objects.filter(group=group, member=member).exists():
        raise CampaignError("You can vouch only for members of your group.")
    vouch, _ = Vouch.objects.get_or_create(
        group=group, member=member, defaults={"vouched_by": organiser}
    )
    return vouch


@transaction.atomic
def demand_status_set(*, demand: Demand, organiser: User, status: DemandStatus) -> Demand:
    """Record the members' decision on a demand (taken by ballot)."""
    require_organiser(group=demand.campaign.group, member=organiser)
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
            "campaign_url": absolute_url(campaign.get_absolute_url()),
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
    tally = stage_tallies_locked(stage_id)
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
    pledgers = _pledgers(stage)
    ballot = verdict_ballot_open(
        group=campaign.group,
        title=f"{campaign.title}, stage {stage.number}: {VERDICT_QUESTION}",
        question=VERDICT_QUESTION,
        quorum=stage.verdict_quorum_for(len(pledgers)),
        opens_at=now,
        closes_at=now + timedelta(days=stage.verdict_days),
        member_ids=pledgers,
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
    stage_tallies_locked(stage_id)
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
            "action_pack_url": absolute_url(
                reverse(
                    "campaigns:action_pack", kwargs={"slug": campaign.slug, "number": stage.number}
                )
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


# Published breakdowns (see SECURITY.md, "Published figures"). A release is drawn on a timetable
# that depends only on public facts (the time, the stage's state and its live people count), so
# that when one happens says nothing about who pledged: once a day while the stage takes
# pledges, sooner when the people count has doubled (early figures are not a day stale, and a
# surge adds at most a release per doubling); once after it stops taking pledges; and, while
# pledgers of a triggered stage confirm their action, once a day until the act-by date.
RELEASE_INTERVAL = timedelta(hours=24)
RELEASE_MIN_GAP = timedelta(hours=1)


def _release_due(stage: Stage, release: StageRelease | None, people: int, now: datetime) -> bool:
    if release is None:
        return True
    age = now - release.released_at
    if stage.state == StageState.OPEN:
        doubled = people > release.pledges_at_release and people >= 2 * release.pledges_at_release
        return age >= RELEASE_INTERVAL or (age >= RELEASE_MIN_GAP and doubled)
    if not release.final:
        return True
    if stage.state == StageState.TRIGGERED and release.released_at < act_by(stage):
        return age >= RELEASE_INTERVAL or now >= act_by(stage)
    return False


@transaction.atomic
def stage_figures_release(
    *, stage_id: int, now: datetime | None = None, noise: Noise = laplace_noise
) -> StageRelease:
    """Draw a stage's published breakdown from its exact figures, with its noise, and store
    it: every page shows it until the next release. ``noise`` is OpenDP's Laplace mechanism;
    tests give their own, to be deterministic."""
    stage = Stage.objects.select_for_update().get(pk=stage_id)  # one release at a time
    previous = StageRelease.objects.filter(stage=stage).first()
    return _release_draw(stage, previous, now or timezone.now(), noise)


def _release_draw(
    stage: Stage, previous: StageRelease | None, now: datetime, noise: Noise
) -> StageRelease:
    """The release itself, for a stage locked by the caller with its ``previous`` release.

    A release made after the stage stopped taking pledges keeps the pledge figures of the
    first such release: they can no longer change, and a fresh draw of the same values would
    only let readers average the noise away. Only the confirmed count is drawn again.
    """
    exact = selectors.stage_exact_figures(stage)
    drawn = figures_draw(exact, noise)
    values: dict[str, object] = {
        "released_at": now,
        "pledges_at_release": exact.people,
        "final": stage.state != StageState.OPEN,
        "confirmed": drawn.confirmed,
    }
    if previous is None or not previous.final:
        values |= {
            "verified": drawn.verified,
            "amount_pence": drawn.amount_pence,
            "options": drawn.options,
            "areas": [list(row) for row in drawn.areas],
        }
    release, _ = StageRelease.objects.update_or_create(stage=stage, defaults=values)
    return release


def figures_release_due(*, now: datetime | None = None, noise: Noise = laplace_noise) -> int:
    """Release the published breakdown of every started stage that is due one (see above).
    Safe to run twice or concurrently: each stage is looked at again under its lock, so two
    runs never draw two releases (which readers could average). Returns how many were made."""
    now = now or timezone.now()
    started = (
        Stage.objects.exclude(state=StageState.PENDING)
        .exclude(campaign__state=CampaignState.DRAFT)
        # Released or won with their final figures out: never due again (``_release_due``).
        .exclude(state__in=[StageState.RELEASED, StageState.WON], release__final=True)
    )
    return sum(
        _stage_figures_release_if_due(stage_id=stage_id, now=now, noise=noise)
        for stage_id in list(started.values_list("pk", flat=True))
    )


@transaction.atomic
def _stage_figures_release_if_due(*, stage_id: int, now: datetime, noise: Noise) -> bool:
    stage = Stage.objects.select_for_update().get(pk=stage_id)
    release = StageRelease.objects.filter(stage=stage).first()
    if not _release_due(stage, release, selectors.stage_people(stage), now):
        return False
    _release_draw(stage, release, now, noise)
    return True
