"""Pressure campaigns: demands, an escalation ladder of stages, conditional pledges, tallies.

Privacy by construction: a pledge row holds only what the lifecycle needs (stage, member,
options, the member's own amount, whether it was vouched for, the postcode area for regional
tallies, and the "I have done it" confirmation) and no timestamp. Everything public is read from
the tally tables, which services update in the same transaction as the pledge.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rankandfile.groups.models import Group


class CampaignState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    WON = "won", "Won: the demands were met"
    TRIGGERED = "triggered", "Triggered: members act together"
    RELEASED = "released", "Released: too few pledged, nobody acts"


class StageState(models.TextChoices):
    PENDING = "pending", "Not yet open"
    OPEN = "open", "Open for pledges"
    RELEASED = "released", "Released"
    VERDICT = "verdict", "Members' verdict"
    WON = "won", "Won"
    TRIGGERED = "triggered", "Triggered"


class DemandStatus(models.TextChoices):
    UNDECIDED = "undecided", "Not yet decided"
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"


class Campaign(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="campaigns")
    slug = models.SlugField(max_length=140, unique=True)
    title = models.CharField(max_length=160)
    target = models.CharField(max_length=200, help_text="Who must respond to the demands.")
    explanation = models.TextField()
    state = models.CharField(
        max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("campaigns:detail", kwargs={"slug": self.slug})


class Demand(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="demands")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    status = models.CharField(
        max_length=16, choices=DemandStatus.choices, default=DemandStatus.UNDECIDED
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="campaigns_demand_order")
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def status_choices(self) -> list[tuple[str, str]]:
        return list(DemandStatus.choices)


# Bounds on what organisers and pledgers may type: larger numbers are mistakes or attacks.
THRESHOLD_PEOPLE_MOST = 10_000_000
THRESHOLD_PENCE_MOST = 1_000_000_000_00  # £1bn
PLEDGE_AMOUNT_MOST_PENCE = 100_000_00  # larger than any subscription refund could be

# A ladder longer than this is a mistake: each stage is weeks of organising.
STAGES_MOST = 10

# A verdict is never decided by fewer people than this, however few pledged: with fewer, one
# organiser who pledged could carry "the demands were met" and release everyone's pledges.
VERDICT_QUORUM_MIN_PEOPLE = 5


class Stage(models.Model):
    """One rung of the escalation ladder, with its own deadline, threshold and pledge options."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    deadline = models.DateTimeField()
    threshold_people = models.PositiveIntegerField(null=True, blank=True)
    threshold_amount_pence = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=StageState.choices, default=StageState.PENDING)
    verdict_days = models.PositiveSmallIntegerField(default=7)
    verdict_quorum_percent = models.PositiveSmallIntegerField(
        default=50,
        help_text="The verdict counts only if at least this share of the stage's pledgers vote "
        f"(and never fewer than {VERDICT_QUORUM_MIN_PEOPLE} people).",
    )
    act_within_days = models.PositiveSmallIntegerField(default=14)
    action_instructions = models.TextField(
        help_text="What every pledger does if the stage is triggered."
    )
    letter_template = models.TextField(
        blank=True,
        help_text="Letter each pledger sends; {display_name}, {amount} and {act_by} are filled in.",
    )
    verdict_ballot = models.OneToOneField(
        "ballots.Ballot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triggered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaigns_stage_order"),
            models.CheckConstraint(
                condition=Q(threshold_people__isnull=False)
                | Q(threshold_amount_pence__isnull=False),
                name="campaigns_stage_has_a_threshold",
            ),
            models.CheckConstraint(
                condition=Q(verdict_quorum_percent__gte=1, verdict_quorum_percent__lte=100),
                name="campaigns_stage_verdict_quorum_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} stage {self.number}"

    def verdict_quorum_for(self, pledgers: int) -> int:
        """The verdict's quorum in people for this many pledgers, fixed when its ballot opens."""
        share = -(-self.verdict_quorum_percent * pledgers // 100)  # rounded up, in integers
        return max(VERDICT_QUORUM_MIN_PEOPLE, share)


class PledgeOption(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=160)
    asks_amount = models.BooleanField(
        default=False, help_text="The pledger states a sum in pounds (kept private)."
    )
    amount_label = models.CharField(
        max_length=160,
        blank=True,
        help_text="What the amount is for, as the pledge form asks it, e.g. "
        "“Amount you will stop paying each month (£)”.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="campaigns_option_key_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def amount_question(self) -> str:
        """The label of the pledge form's amount field when this option asks one."""
        return self.amount_label or f"{self.label}: the amount, in pounds (£)"


class Pledge(models.Model):
    # No index of its own: the one-pledge-each constraint's index begins with the stage.
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="pledges", db_index=False
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    options = models.ManyToManyField(PledgeOption, related_name="+")
    amount_pence = models.PositiveBigIntegerField(null=True, blank=True)
    verified = models.BooleanField(default=False)
    area = models.CharField(max_length=2, blank=True)
    confirmed_done = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "member"], name="campaigns_one_pledge_each")
        ]

    def __str__(self) -> str:
        return f"Pledge {self.pk}"


class Vouch(models.Model):
    """An organiser of the campaign's group vouches that a member is a real person they know."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vouches"
    )
    vouched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="campaigns_vouch_once")
        ]

    def __str__(self) -> str:
        return f"Vouch {self.pk}"


# Every pledge updates tally rows, and a row's lock is held until the pledge commits. One row per
# stage would make every pledge in a surge wait for the one before it to reach the disk, so each
# tally is split into TALLY_SHARDS rows and a member's pledge always moves the shard
# ``member_id % TALLY_SHARDS``: pledges by different members rarely meet on a row, each shard
# stays non-negative (it counts exactly the pledges of its own members), and a total is the sum
# of a fixed number of rows, whatever the number of pledges.
TALLY_SHARDS = 32


def tally_shard(member_id: int) -> int:
    return member_id % TALLY_SHARDS


class StageTally(models.Model):
    """One shard of a stage's running totals, updated in the pledge's own transaction.

    All TALLY_SHARDS rows of a stage exist from the stage's creation. ``accepting`` is the word
    that counts on whether the stage takes pledge changes: it is set when the stage opens and
    cleared by the deadline job, which locks every shard to do so and then reads the totals. A
    pledge change updates its own shard only where ``accepting`` holds, so it either commits
    before the job reads (and is counted) or finds the shard closed (and rolls back).
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="tallies")
    shard = models.PositiveSmallIntegerField()
    accepting = models.BooleanField(default=False)
    pledges = models.PositiveIntegerField(default=0)
    verified_pledges = models.PositiveIntegerField(default=0)
    amount_pence = models.PositiveBigIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "shard"], name="campaigns_stage_tally_shard"),
            models.CheckConstraint(
                condition=Q(shard__lt=TALLY_SHARDS), name="campaigns_stage_tally_shard_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Tally of stage {self.stage_id}, shard {self.shard}"


class OptionTally(models.Model):
    """One shard of an option's pledge count; made by the first pledge that needs it."""

    option = models.ForeignKey(PledgeOption, on_delete=models.CASCADE, related_name="tallies")
    shard = models.PositiveSmallIntegerField()
    pledges = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["option", "shard"], name="campaigns_option_tally_shard"
            ),
            models.CheckConstraint(
                condition=Q(shard__lt=TALLY_SHARDS), name="campaigns_option_tally_shard_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Tally of option {self.option_id}, shard {self.shard}"


class RegionTally(models.Model):
    """One shard of a stage's pledge count in one postcode area."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="region_tallies")
    area = models.CharField(max_length=2)
    shard = models.PositiveSmallIntegerField()
    pledges = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "area", "shard"], name="campaigns_region_tally_shard"
            ),
            models.CheckConstraint(
                condition=Q(shard__lt=TALLY_SHARDS), name="campaigns_region_tally_shard_range"
            ),
        ]

    def __str__(self) -> str:
        area = self.area or "unknown area"
        return f"Tally of {area} at stage {self.stage_id}, shard {self.shard}"


class StageRelease(models.Model):
    """A stage's published breakdown: the one release every page, the counter and the API show.

    Written by the release job (``services.stage_figures_release``), never by a pledge: each
    value is drawn once, with its noise, and stored, so that reading it again and again shows
    the same value until the next release (see SECURITY.md, "Published figures"). A None is a
    figure withheld (under 5, or within 5 of the number of people who had pledged).
    """

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="release")
    released_at = models.DateTimeField()
    # The people count when the release was drawn (public then: it is shown live); the job
    # releases sooner when it has doubled since.
    pledges_at_release = models.PositiveIntegerField()
    # Drawn after the stage stopped taking pledges: its pledge figures can no longer change,
    # so later releases keep them instead of drawing new noise that readers could average out.
    final = models.BooleanField(default=False)
    verified = models.PositiveIntegerField(null=True)
    confirmed = models.PositiveIntegerField(null=True)
    amount_pence = models.PositiveBigIntegerField(null=True)
    options = models.JSONField(default=dict)  # option key -> count or None, in stage order
    areas = models.JSONField(default=list)  # [[area, count or None], ...]; "" for other areas

    def __str__(self) -> str:
        return f"Published figures of stage {self.stage_id}"


class Backing(models.Model):
    """Public support for a campaign: by a group (an organiser of it decides) or by a member.

    The target is a pressure campaign or a group of kind "campaign"; the backer is a group or
    a member: exactly one of each, which the check constraints hold, and one backing for each
    backer and target, which the unique constraints hold (one for each pairing of kinds, as
    the nullable columns cannot share one constraint on both databases).

    A member's backing counts only while the membership consent it was given under stands
    (``backing_selectors``): withdrawing that consent stops it being counted or named at once,
    and giving consent again does not bring it back unasked. ``created_at`` is when the member
    last backed, so backing again renews it.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="backings"
    )
    target_group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="backings"
    )
    backing_group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="backings_given"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backings",
    )
    show_name = models.BooleanField(
        default=False, help_text="The member chose to have their display name shown."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(campaign__isnull=False) & Q(target_group__isnull=True))
                | (Q(campaign__isnull=True) & Q(target_group__isnull=False)),
                name="campaigns_backing_one_target",
            ),
            models.CheckConstraint(
                condition=(Q(backing_group__isnull=False) & Q(member__isnull=True))
                | (Q(backing_group__isnull=True) & Q(member__isnull=False)),
                name="campaigns_backing_one_backer",
            ),
            models.CheckConstraint(
                condition=Q(target_group__isnull=True)
                | Q(backing_group__isnull=True)
                | ~Q(target_group=F("backing_group")),
                name="campaigns_backing_not_itself",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(show_name=False),
                name="campaigns_backing_names_are_members",
            ),
            *(
                models.UniqueConstraint(
                    fields=[target, backer],
                    condition=Q(**{f"{target}__isnull": False, f"{backer}__isnull": False}),
                    name=f"campaigns_backing_once_{target}_{backer}",
                )
                for target in ("campaign", "target_group")
                for backer in ("backing_group", "member")
            ),
        ]

    def __str__(self) -> str:
        return f"Backing {self.pk}"
