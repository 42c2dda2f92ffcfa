"""Conversations: statements, votes on them and the opinion map computed from the votes.

Privacy by construction: nobody, organisers included, can see how a named member voted.
- A vote belongs to a ``Participant``: a number within the conversation (as in Polis's exports)
  and, while the conversation is open, a *member key*: a keyed hash of the conversation and the
  member (``services.member_key``), so that a copy of the database alone does not link a vote to
  a member. Closing the conversation clears every key, leaving the anonymous matrix.
- A vote row has no timestamp (no timing attack), and a changed vote replaces the old one.
- A statement's author is kept for the member's own data (issue 21) but never shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from rankandfile.groups.models import Group

STATEMENT_LONGEST = 280
SEED_STATEMENTS_MOST = 20
# A member sees the map once they have voted on this many statements (Polis's :in-conv rule).
MAP_VOTES_LEAST = 7


class ConversationState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Moderation(models.TextChoices):
    ACCEPTED_UNLESS_REJECTED = "post", "Accepted unless rejected (shown at once)"
    HIDDEN_UNTIL_ACCEPTED = "pre", "Hidden until an organiser accepts it"


class StatementStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    META = "meta", "Meta (about the conversation itself)"


# What members vote on: accepted statements, and meta ones (which the maths leaves out of the
# groups but which are still voted on, as in Polis).
VOTABLE = (StatementStatus.ACCEPTED, StatementStatus.META)


class VoteValue(models.IntegerChoices):
    """Polis's export convention."""

    AGREE = 1, "Agree"
    DISAGREE = -1, "Disagree"
    PASS = 0, "Pass / unsure"


class Conversation(models.Model):
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversations",
        help_text="Empty for a conversation of the whole network.",
    )
    question = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    state = models.CharField(
        max_length=8, choices=ConversationState.choices, default=ConversationState.OPEN
    )
    moderation = models.CharField(
        max_length=4, choices=Moderation.choices, default=Moderation.ACCEPTED_UNLESS_REJECTED
    )
    closes_at = models.DateTimeField(null=True, blank=True)
    # After the close, the map is shown to everyone who can see the conversation.
    map_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Debouncing: set when a vote asks for a recompute that is not yet queued; the recompute
    # clears it before it reads the votes, so votes cast during a run queue one more run.
    recompute_queued = models.BooleanField(default=False)
    next_statement_number = models.PositiveIntegerField(default=0)
    next_participant_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["state", "closes_at"])]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("opinions:detail", kwargs={"conversation_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == ConversationState.OPEN


class Statement(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    # The statement's number within the conversation, as Polis's comment-id.
    number = models.PositiveIntegerField()
    text = models.CharField(max_length=STATEMENT_LONGEST)
    status = models.CharField(
        max_length=8, choices=StatementStatus.choices, default=StatementStatus.PENDING
    )
    is_seed = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Routing priority from the last map (maths.priority); empty until the statement is first
    # counted, and an empty priority comes first, as Polis shows new statements early.
    priority = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "number"], name="opinions_statement_unique_number"
            ),
            models.UniqueConstraint(
                fields=["conversation", "text"], name="opinions_statement_unique_text"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), STATEMENT_LONGEST),
                name="opinions_statement_short",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="opinions_statement_not_empty"),
        ]
        indexes = [models.Index(fields=["conversation", "status"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Participant(models.Model):
    """A member taking part in one conversation, known by number; see the module docstring."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    number = models.PositiveIntegerField()
    # NULL, not "": many closed participants share "no key" under the unique constraint.
    member_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "number"], name="opinions_participant_unique_number"
            ),
            models.UniqueConstraint(
                fields=["conversation", "member_key"], name="opinions_participant_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Participant {self.number} of conversation {self.conversation_id}"


class Vote(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "statement"], name="opinions_vote_one_per_statement"
            ),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="opinions_vote_value"),
        ]

    def __str__(self) -> str:
        return f"Vote {self.pk}"


class OpinionMapResult(models.Model):
    """The last map of a conversation, as computed by the background recompute.

    ``data`` holds what the pages need, keyed by participant and statement *numbers*:
    ``positions`` {participant: [x, y]}, ``groups`` {participant: group}, ``repness``
    {group: [{"statement", "direction", "agree_percent", ...}]}, ``consensus`` {"agree",
    "disagree"}, ``group_informed_consensus`` {statement: value}, ``divisive`` [statements],
    ``group_votes`` {statement: {group: [agree, disagree, seen]}}.
    """

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="map_result"
    )
    computed_at = models.DateTimeField()
    participants_count = models.PositiveIntegerField()
    votes_count = models.PositiveIntegerField()
    data = models.JSONField()

    def __str__(self) -> str:
        return f"Map of conversation {self.conversation_id}"
