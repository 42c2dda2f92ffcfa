"""Pressure campaigns: demands, an escalation ladder of stages, conditional pledges, tallies.

Privacy by construction: a pledge row holds only what the lifecycle needs (stage, member,
options, the member's own amount, whether it was vouched for, the postcode area for regional
tallies, and the "I have done it" confirmation) and no timestamp. Everything public is read from
the tally tables, which services update in the same transaction as the pledge.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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
    verdict_quorum = models.PositiveIntegerField(default=1)
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
        ]

    def __str__(self) -> str:
        return f"{self.campaign} stage {self.number}"


class PledgeOption(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=160)
    asks_amount = models.BooleanField(
        default=False, help_text="The pledger states a sum in pounds (kept private)."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="campaigns_option_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Pledge(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="pledges")
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


class StageTally(models.Model):
    """Running totals, updated with the pledge: read in constant time, exact under concurrency."""

    stage = models.OneToOneField(
        Stage, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    pledges = models.PositiveIntegerField(default=0)
    verified_pledges = models.PositiveIntegerField(default=0)
    amount_pence = models.PositiveBigIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Tally of stage {self.stage_id}"


class OptionTally(models.Model):
    option = models.OneToOneField(
        PledgeOption, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    pledges = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Tally of option {self.option_id}"


class RegionTally(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="region_tallies")
    area = models.CharField(max_length=2)
    pledges = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "area"], name="campaigns_region_tally_unique")
        ]

    def __str__(self) -> str:
        return f"Tally of {self.area or 'unknown area'} at stage {self.stage_id}"
