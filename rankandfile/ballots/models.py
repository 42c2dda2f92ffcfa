"""Ballots, their questions and choices, the voter roll and the ballot box.

The roll (who has voted) and the ballot box (what was voted) are separate tables with no link
between them: a :class:`BallotPaper` has no member key, no timestamp and no sequential id. Its
primary key is the SHA-256 of the voter's receipt code, which is random, so the key order says
nothing about the order of voting.

What the storage itself could tell someone with raw access to the database, and why it does not
after the close:

- SQLite keeps an implicit rowid in insertion order: the ballot box is a ``WITHOUT ROWID`` table
  keyed by the receipt hash (migration 0004; Django cannot declare it, and a later migration
  that makes Django rebuild the table would drop it, which a test would catch);
- PostgreSQL keeps physical row order, and the roll entry marked and the paper inserted by one
  vote carry the same transaction id (the ``xmin`` system column): at the close every paper is
  deleted and written again in receipt-hash order and every roll row rewritten, in the close's
  transaction, so that afterwards they all carry the close's transaction id. While voting is
  open, and in dead row versions until VACUUM runs, a database administrator must still be
  trusted not to look.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from rankandfile.groups.models import Group


class BallotState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for voting"
    CLOSED = "closed", "Closed, being counted"
    PUBLISHED = "published", "Results published"


class Electorate(models.TextChoices):
    MEMBERS = "members", "Every member of the group (or of the network)"
    MEMBERS_WITH_MFA = "members_mfa", "Members who have set up two-factor authentication"


class Method(models.TextChoices):
    YESNO = "yesno", "Yes or no"
    APPROVAL = "approval", "Approval (choose any number)"
    IRV = "irv", "Instant-runoff (rank the candidates, one winner)"
    SCOTTISH_STV = "scottish-stv", "Single transferable vote (Scottish rules)"
    ERS97 = "ers97", "Single transferable vote (ERS97 rules)"
    MEEK = "meek", "Single transferable vote (Meek's method)"


RANKED_METHODS = frozenset({Method.IRV, Method.SCOTTISH_STV, Method.ERS97, Method.MEEK})


class Threshold(models.TextChoices):
    SIMPLE = "simple", "Simple majority"
    TWO_THIRDS = "two-thirds", "Two-thirds majority"


def new_tie_break_seed() -> int:
    return secrets.randbits(31)


class Ballot(models.Model):
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballots",
        help_text="Empty for a ballot of the whole network.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=BallotState.choices, default=BallotState.DRAFT)
    electorate = models.CharField(
        max_length=16, choices=Electorate.choices, default=Electorate.MEMBERS
    )
    # Recorded when the ballot is created and published with the results, so that any drawing of
    # lots can be reproduced by anyone recounting.
    tie_break_seed = models.BigIntegerField(default=new_tie_break_seed)
    roll_size = models.PositiveIntegerField(null=True, blank=True)
    voted_count = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Generic rules a caller may need (a campaign's verdict sets both): whether an organiser may
    # close voting before its closing time, and whether the roll keeps its members once voting
    # has closed (otherwise only roll_size and voted_count are left).
    closes_early_allowed = models.BooleanField(default=True)
    roll_kept_after_close = models.BooleanField(default=True)
    # Set by the clock when closing and counting this ballot failed, so that an admin sees it;
    # cleared by the close that succeeds.
    close_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="ballots_ballot_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ballots:detail", kwargs={"ballot_id": self.pk})


class Question(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    method = models.CharField(max_length=16, choices=Method.choices)
    seats = models.PositiveSmallIntegerField(default=1)
    quorum = models.PositiveIntegerField(default=0, help_text="Yes/no: ballots needed.")
    threshold = models.CharField(max_length=16, choices=Threshold.choices, default="simple")
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "position"], name="ballots_question_unique_position"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="ballots_question_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS


class Choice(models.Model):
    """A candidate or an option of a ranked or approval question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="ballots_choice_unique_position"
            ),
            models.UniqueConstraint(fields=["question", "name"], name="ballots_choice_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """One member on a ballot's roll; frozen when voting opens. Says only *whether* they voted."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="roll")
    # SET_NULL: a member who erases their account leaves the roll's size and turnout intact.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "member"], name="ballots_roll_one_per_member"
            ),
        ]
        verbose_name_plural = "roll entries"

    def __str__(self) -> str:
        return f"Roll entry {self.pk} of ballot {self.ballot_id}"


class BallotPaper(models.Model):
    """One cast ballot in the ballot box: the receipt hash and the answers, nothing else."""

    receipt_hash = models.CharField(max_length=64, primary_key=True)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="papers")
    # {"<question position>": ranking [choice positions] | approved [choice positions] | "yes"...}
    contents = models.JSONField()

    def __str__(self) -> str:
        return f"Ballot paper {self.receipt_hash[:12]}…"


class BallotBundle(models.Model):
    """The verification bundle (zip) built once when the ballot is counted, served as stored."""

    ballot = models.OneToOneField(
        Ballot, on_delete=models.CASCADE, primary_key=True, related_name="bundle"
    )
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Bundle of ballot {self.ballot_id}"


# Nominations for elected posts (ballots.nominations) -----------------------------------------

STV_METHODS = (Method.SCOTTISH_STV, Method.ERS97, Method.MEEK)


class NominationPeriod(models.Model):
    """Nominations for a post (or several seats of one post) before an STV ballot.

    When nominations close, the ballot is made from the accepted, sufficiently seconded
    candidates who have not withdrawn, in the order of a shuffle seeded by ``shuffle_seed``
    (published on the ballot, so that anyone can reproduce the order).
    """

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="nomination_periods")
    post = models.CharField(max_length=200, help_text="The post, such as “Branch secretary”.")
    seats = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.SCOTTISH_STV)
    seconders_needed = models.PositiveSmallIntegerField(default=2)
    closes_at = models.DateTimeField()
    voting_days = models.PositiveSmallIntegerField(default=7)
    shuffle_seed = models.BigIntegerField(default=new_tie_break_seed)
    ballot = models.OneToOneField(
        Ballot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nomination_period",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why no ballot was made, when none was (too few candidates).
    outcome_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1), name="ballots_nominationperiod_seats"
            ),
            models.CheckConstraint(
                condition=Q(voting_days__gte=1), name="ballots_nominationperiod_voting_days"
            ),
            models.CheckConstraint(
                condition=Q(method__in=[m.value for m in STV_METHODS]),
                name="ballots_nominationperiod_stv_method",
            ),
        ]

    def __str__(self) -> str:
        return f"Nominations for {self.post}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ballots:nominations", kwargs={"period_id": self.pk})


class Nomination(models.Model):
    """A member nominated by another member (never by themselves: a check constraint)."""

    period = models.ForeignKey(
        NominationPeriod, on_delete=models.CASCADE, related_name="nominations"
    )
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Markdown source, at most 500 words (ballots.nominations.STATEMENT_WORDS).
    statement = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The candidate's place on the ballot (1-based), set when nominations close.
    ballot_position = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "nominee"], name="ballots_nomination_one_per_nominee"
            ),
            models.CheckConstraint(
                condition=~Q(nominee=models.F("nominated_by")),
                name="ballots_nomination_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"Nomination {self.pk} for period {self.period_id}"


class Seconding(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="secondings")
    seconder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "seconder"], name="ballots_seconding_one_per_seconder"
            ),
        ]

    def __str__(self) -> str:
        return f"Seconding of nomination {self.nomination_id}"
