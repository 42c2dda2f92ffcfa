"""Proposals (motions) a member writes, their supporters, comments and amendments.

The flow (services.py): a member drafts a proposal, then opens it for discussion; members
support it, comment and propose amendments; the proposer accepts or rejects each amendment.
A proposal with enough supporters goes to a ballot of the group (ballots app): one yes/no
question for each amendment that has enough supporters of its own, then the motion as amended.
The result is written back here; ballots know nothing of proposals.

Invariants the database holds: one support per member per proposal (and per amendment), one
report per member per comment, version and amendment numbers unique within a proposal. Who
supports a proposal is stored (one row each, so that the count is exact) but never shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from rankandfile.ballots.models import Ballot
from rankandfile.groups.models import Group


class ProposalState(models.TextChoices):
    DRAFT = "draft", "Draft"
    DISCUSSION = "discussion", "Open for discussion and support"
    TO_BALLOT = "to_ballot", "Being voted on"
    CARRIED = "carried", "Carried"
    FELL = "fell", "Fell"
    LAPSED = "lapsed", "Lapsed (not enough supporters in time)"


class ThresholdKind(models.TextChoices):
    PEOPLE = "people", "A number of members"
    PERCENT = "percent", "A percentage of the group's members"


class ProposalSettings(models.Model):
    """A group's rules for proposals; a group without a row has the defaults."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, primary_key=True, related_name="proposal_settings"
    )
    threshold_kind = models.CharField(
        max_length=8, choices=ThresholdKind.choices, default=ThresholdKind.PEOPLE
    )
    threshold_people = models.PositiveIntegerField(default=10)
    threshold_percent = models.PositiveSmallIntegerField(default=5)
    support_days = models.PositiveSmallIntegerField(default=28)
    ballot_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        verbose_name_plural = "proposal settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_people__gte=1), name="proposals_settings_people_positive"
            ),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=1, threshold_percent__lte=100),
                name="proposals_settings_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(support_days__gte=1), name="proposals_settings_support_days"
            ),
            models.CheckConstraint(
                condition=Q(ballot_days__gte=1), name="proposals_settings_ballot_days"
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal settings of group {self.group_id}"


class Proposal(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=200)
    # The current text, Markdown source (lib.markdown renders it); every text it has had is a
    # ProposalVersion.
    text = models.TextField()
    version_number = models.PositiveIntegerField(default=1)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the proposal opens, from the group's settings and size then.
    support_threshold = models.PositiveIntegerField(null=True, blank=True)
    support_deadline = models.DateTimeField(null=True, blank=True)
    discussion_closes_at = models.DateTimeField(null=True, blank=True)
    # When the supporters first reached the threshold (the proposer is told once).
    threshold_reached_at = models.DateTimeField(null=True, blank=True)
    next_amendment_number = models.PositiveIntegerField(default=1)
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The text as the members decided it (the carried amendments applied), once decided.
    result_text = models.TextField(blank=True)
    result_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "state"]),
            models.Index(fields=["state", "support_deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(support_threshold__isnull=False),
                name="proposals_proposal_threshold_once_open",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["to_ballot", "carried", "fell"]) | Q(ballot__isnull=False),
                name="proposals_proposal_balloted_has_ballot",
            ),
            models.CheckConstraint(
                condition=Q(discussion_closes_at__isnull=True)
                | Q(discussion_closes_at__gte=F("support_deadline")),
                name="proposals_proposal_discussion_after_support",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", kwargs={"proposal_id": self.pk})

    @property
    def in_discussion(self) -> bool:
        return self.state == ProposalState.DISCUSSION


class AmendmentState(models.TextChoices):
    OPEN = "open", "Open: waiting for the proposer"
    ACCEPTED = "accepted", "Accepted by the proposer"
    REJECTED = "rejected", "Rejected by the proposer"
    OUTDATED = "outdated", "Outdated: its passage was changed by another amendment"
    ON_BALLOT = "on_ballot", "On the ballot"
    CARRIED = "carried", "Carried by the members"
    FELL = "fell", "Fell"


# Amendments still in play: they can be supported, accepted and put to the ballot.
LIVE_AMENDMENT_STATES = (AmendmentState.OPEN, AmendmentState.REJECTED)


class ProposalVersion(models.Model):
    """One text the proposal has had: 1 is the text it opened with."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    # The amendment that made this version (none for the first).
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposals_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of proposal {self.proposal_id}"


class Amendment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The version it amends: the current one, moved on when another amendment is accepted.
    base_version = models.ForeignKey(
        ProposalVersion, on_delete=models.PROTECT, related_name="amendments"
    )
    proposed_text = models.TextField()
    reason = models.TextField(blank=True)
    state = models.CharField(
        max_length=16, choices=AmendmentState.choices, default=AmendmentState.OPEN
    )
    # The passage of the base text it changes, [change_start, change_end) (passages.py).
    change_start = models.PositiveIntegerField()
    change_end = models.PositiveIntegerField()
    # Its question's position on the ballot, once put to one.
    ballot_position = models.PositiveSmallIntegerField(null=True, blank=True)
    state_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposals_amendment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(change_end__gte=F("change_start")),
                name="proposals_amendment_passage_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.number} to proposal {self.proposal_id}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_AMENDMENT_STATES


class Support(models.Model):
    """One member's support for a proposal: a row each, so the count is a count of rows."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="proposals_support_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Support {self.pk} of proposal {self.proposal_id}"


class AmendmentSupport(models.Model):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "member"], name="proposals_amendment_support_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Support {self.pk} of amendment {self.amendment_id}"


class Comment(models.Model):
    """A comment on a proposal, or a reply to one (replies are one level deep: services)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A deleted comment keeps its place in the thread (its replies stay), without its text.
    deleted = models.BooleanField(default=False)
    reported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["proposal", "created_at", "pk"]
        indexes = [
            models.Index(fields=["proposal", "parent", "created_at"]),
            models.Index(fields=["proposal", "reported_count"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="proposals_comment_not_its_own_parent",
            ),
            models.CheckConstraint(
                condition=Q(deleted=False) | Q(text=""), name="proposals_comment_deleted_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on proposal {self.proposal_id}"


class CommentReport(models.Model):
    """A member's report of a comment to the group's organisers; once per member."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="proposals_report_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} of comment {self.comment_id}"


# Agreed slates (slates.py) -----------------------------------------------------------------


class SlateState(models.TextChoices):
    AGREEING = "agreeing", "Waiting for every group's organisers to agree"
    APPLICATIONS = "applications", "Taking applications"
    VOTING = "voting", "Members are ranking the applicants"
    PUBLISHED = "published", "Recommended slate published"
    LAPSED = "lapsed", "Lapsed (too few applicants for a ballot)"


class Slate(models.Model):
    """A slate for an outside election, agreed by the members of one group or several: its
    places are filled, in order, by an STV ballot of the applicants (slates.py)."""

    # The group whose organiser opened the slate; its ballot is this group's.
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="slates")
    title = models.CharField(max_length=150)
    election = models.CharField(max_length=200)
    places = models.PositiveSmallIntegerField()
    applications_close_at = models.DateTimeField()
    ballot_days = models.PositiveSmallIntegerField(default=7)
    state = models.CharField(max_length=16, choices=SlateState.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    result_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "applications_close_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1, places__lte=100), name="proposals_slate_places_range"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["voting", "published"]) | Q(ballot__isnull=False),
                name="proposals_slate_balloted_has_ballot",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("slates:detail", kwargs={"slate_id": self.pk})


class SlateGroup(models.Model):
    """A group holding the slate; its members may apply and vote once its organisers agree."""

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="slate_groups")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["slate", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slate", "group"], name="proposals_slate_group_once"),
        ]

    def __str__(self) -> str:
        return f"Group {self.group_id} of slate {self.slate_id}"


class SlateApplication(models.Model):
    """A member's request to be on the slate, with a short statement (Markdown)."""

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="applications")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The name on the ballot and the published slate, kept if the member later leaves.
    name = models.CharField(max_length=120)
    statement = models.TextField()
    withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The applicant's candidate number on the ballot, and their place on the published slate.
    ballot_position = models.PositiveSmallIntegerField(null=True, blank=True)
    slate_position = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["slate", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slate", "member"], name="proposals_slate_application_once"
            ),
            models.UniqueConstraint(
                fields=["slate", "slate_position"], name="proposals_slate_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn=False) | Q(slate_position__isnull=True),
                name="proposals_slate_withdrawn_not_placed",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} to slate {self.slate_id}"
