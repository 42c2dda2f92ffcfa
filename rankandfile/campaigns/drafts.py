"""Every write about a campaign while it is a draft: create, update, delete.

A draft is private to its group's organisers: nobody has pledged, no tally has moved and no
figure has been released, so an update may simply replace its demands and its ladder. Every
stage's deadline must still be ahead when the draft is saved, so that a saved draft can always
be opened (``services.campaign_open`` refuses a first stage whose deadline has passed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.campaigns.errors import CampaignError
from rankandfile.campaigns.models import (
    STAGES_MOST,
    TALLY_SHARDS,
    THRESHOLD_PENCE_MOST,
    THRESHOLD_PEOPLE_MOST,
    Campaign,
    CampaignState,
    Demand,
    PledgeOption,
    Stage,
    StageTally,
)
from rankandfile.campaigns.tallies import option_shards_create
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.lib.slugs import slug_new


@dataclass(frozen=True)
class OptionInput:
    key: str
    label: str
    asks_amount: bool = False
    amount_label: str = ""


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
    verdict_quorum_percent: int = 50
    act_within_days: int = 14


def require_organiser(*, group: Group, member: User) -> None:
    if not member_is_organiser(member, group):
        raise CampaignError("Only the group's organisers can run its campaigns.")


def campaign_audit(*, campaign: Campaign, organiser: User, action: str, **details: int) -> None:
    """One line in the audit log for an organiser's act on a campaign, naming its group."""
    audit_record(
        actor=organiser,
        action=action,
        target_type="campaign",
        target_id=campaign.pk,
        details={"group_id": campaign.group_id, **details},
    )


def _check_ladder(demands: Sequence[str], stages: Sequence[StageInput], now: datetime) -> None:
    """Everything a draft is checked for before it is written, in words for the organiser."""
    if not demands:
        raise CampaignError("A campaign needs at least one demand.")
    if not stages:
        raise CampaignError("A campaign needs at least one stage.")
    if len(stages) > STAGES_MOST:
        raise CampaignError(f"A campaign has at most {STAGES_MOST} stages.")
    for number, spec in enumerate(stages, 1):
        if spec.deadline <= now:
            raise CampaignError(
                f"Stage {number}'s deadline has passed: choose a date and time in the future."
            )
        if spec.threshold_people is None and spec.threshold_amount_pence is None:
            raise CampaignError(f"Stage {number} needs a threshold of people or of money.")
        for threshold, most in (
            (spec.threshold_people, THRESHOLD_PEOPLE_MOST),
            (spec.threshold_amount_pence, THRESHOLD_PENCE_MOST),
        ):
            if threshold is not None and not 1 <= threshold <= most:
                raise CampaignError(f"Stage {number}'s threshold is out of range.")
        if not spec.options:
            raise CampaignError(f"Stage {number} needs at least one pledge option.")
        if not 1 <= spec.verdict_quorum_percent <= 100:
            raise CampaignError(f"Stage {number}'s verdict quorum must be from 1% to 100%.")
    deadlines = [s.deadline for s in stages]
    if deadlines != sorted(deadlines) or len(set(deadlines)) != len(deadlines):
        raise CampaignError("Each stage's deadline must come after the one before.")


def _ladder_write(campaign: Campaign, demands: Sequence[str], stages: Sequence[StageInput]) -> None:
    Demand.objects.bulk_create(
        Demand(campaign=campaign, position=i, text=text.strip())
        for i, text in enumerate(demands, 1)
    )
    for number, spec in enumerate(stages, 1):
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
            verdict_quorum_percent=spec.verdict_quorum_percent,
            act_within_days=spec.act_within_days,
        )
        StageTally.objects.bulk_create(
            StageTally(stage=stage, shard=n) for n in range(TALLY_SHARDS)
        )
        option_shards_create(
            [
                PledgeOption.objects.create(
                    stage=stage,
                    key=option.key,
                    label=option.label.strip(),
                    asks_amount=option.asks_amount,
                    amount_label=option.amount_label.strip() if option.asks_amount else "",
                    position=position,
                )
                for position, option in enumerate(spec.options)
            ]
        )


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
    now: datetime | None = None,
) -> Campaign:
    """A draft campaign with its ordered demands and escalation ladder."""
    require_organiser(group=group, member=organiser)
    _check_ladder(demands, stages, now or timezone.now())
    campaign = Campaign.objects.create(
        group=group,
        # A draft is private, so its slug never is the plain slug of its title (lib.slugs); the
        # slug stays when it opens, so that no link to it ever changes.
        slug=slug_new(
            title,
            fallback="campaign",
            taken=lambda slug: Campaign.objects.filter(slug=slug).exists(),
            private=True,
        ),
        title=title.strip(),
        target=target.strip(),
        explanation=explanation.strip(),
    )
    _ladder_write(campaign, demands, stages)
    campaign_audit(
        campaign=campaign, organiser=organiser, action="campaign.created", stages=len(stages)
    )
    return campaign


def _draft_locked(campaign: Campaign, organiser: User, *, doing: str) -> Campaign:
    require_organiser(group=campaign.group, member=organiser)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state != CampaignState.DRAFT:
        raise CampaignError(f"Only a draft can be {doing}: this campaign has been opened.")
    return locked


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    organiser: User,
    title: str,
    target: str,
    explanation: str,
    demands: Sequence[str],
    stages: Sequence[StageInput],
    now: datetime | None = None,
) -> Campaign:
    """Replace a draft's words, demands and ladder. Its slug, and so its preview link, stay."""
    locked = _draft_locked(campaign, organiser, doing="edited")
    _check_ladder(demands, stages, now or timezone.now())
    locked.title = title.strip()
    locked.target = target.strip()
    locked.explanation = explanation.strip()
    locked.save(update_fields=["title", "target", "explanation"])
    # A draft has no pledges, tallies that moved or releases: its rows can simply be replaced.
    locked.demands.all().delete()
    locked.stages.all().delete()
    _ladder_write(locked, demands, stages)
    campaign_audit(
        campaign=locked, organiser=organiser, action="campaign.updated", stages=len(stages)
    )
    return locked


@transaction.atomic
def campaign_delete(*, campaign: Campaign, organiser: User) -> None:
    """Delete a draft with its demands and ladder; an open campaign is never deleted."""
    locked = _draft_locked(campaign, organiser, doing="deleted")
    campaign_audit(campaign=locked, organiser=organiser, action="campaign.deleted")
    locked.delete()
