"""Consent-based introductions: a member asks to be put in touch with a group, or with members
offering a skill near a district; the other side accepts or declines.

Nobody's contact detail is shown until an introduction is accepted, and it is hidden again
when either side withdraws. Who was matched to a request for a skill is never shown to the
asker (nor to the other members matched): only the one who accepts becomes known.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan

from rankandfile.accounts.models import Skill
from rankandfile.groups.models import Group
from rankandfile.lib.fields import EncryptedTextField

MESSAGE_LONGEST = 500
PHONE_LONGEST = 20


class ContactMethod(models.TextChoices):
    EMAIL = "email", "My email address"
    PHONE = "phone", "A phone number"


class IntroductionContact(models.Model):
    """Which of the member's contact details an accepted introduction shows the other side.

    Without a row, it is the member's email address.
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="introduction_contact"
    )
    method = models.CharField(max_length=8, choices=ContactMethod.choices)
    phone = EncryptedTextField(max_length=PHONE_LONGEST, blank=True)  # encrypted at rest

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(method=ContactMethod.EMAIL, phone="")
                | (Q(method=ContactMethod.PHONE) & ~Q(phone="")),
                name="introductions_contact_phone_only_when_chosen",
            ),
        ]

    def __str__(self) -> str:
        return f"Introduction contact of member {self.member_id}"


class IntroductionKind(models.TextChoices):
    GROUP = "group", "To a group"
    SKILL = "skill", "To members with a skill"


class IntroductionStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Introduction(models.Model):
    """One request for an introduction, and its answer.

    A request to a group goes to its organisers, and one of them answers for the group. A
    request for a skill goes to the matching members (``IntroductionMatch``), each of whom
    answers for themselves; the first to accept answers the request.
    """

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="introductions_asked"
    )
    kind = models.CharField(max_length=8, choices=IntroductionKind.choices)
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="introductions"
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="introductions"
    )
    # The asker's district and message are encrypted at rest (rankandfile/lib/fields.py).
    district = EncryptedTextField(max_length=4, blank=True)
    radius_km = models.PositiveSmallIntegerField(null=True, blank=True)
    message = EncryptedTextField(max_length=MESSAGE_LONGEST)
    status = models.CharField(
        max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who accepted or declined, and when: an organiser of the group, or the matched member.
    # The request is the asker's: when the one who answered erases their account, it stays
    # with nobody named (NULL), as ``withdrawn_by`` does.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who withdrew it (either side; the member whose consent was withdrawn), and when.
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["asker", "status"]),
            models.Index(fields=["group", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IntroductionKind.values),
                name="introductions_introduction_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IntroductionStatus.values),
                name="introductions_introduction_status_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=IntroductionKind.GROUP,
                        group__isnull=False,
                        skill__isnull=True,
                        district="",
                        radius_km__isnull=True,
                    )
                    | (
                        Q(
                            kind=IntroductionKind.SKILL,
                            group__isnull=True,
                            skill__isnull=False,
                            radius_km__isnull=False,
                        )
                        & ~Q(district="")
                    )
                ),
                name="introductions_introduction_target_matches_kind",
            ),
            models.CheckConstraint(
                # The message is stored encrypted: its length is checked by the service and
                # the form; the database can only see that there is one.
                condition=Q(GreaterThan(Length("message"), 0)),
                name="introductions_introduction_message_not_empty",
            ),
            # Open: nobody has answered or withdrawn. Accepted or declined: answered at a time,
            # not withdrawn (by someone, unless they have since erased their account).
            # Withdrawn: at a time (after an answer or not).
            models.CheckConstraint(
                condition=(
                    Q(
                        status=IntroductionStatus.OPEN,
                        decided_by__isnull=True,
                        decided_at__isnull=True,
                        withdrawn_at__isnull=True,
                    )
                    | Q(
                        status__in=[IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED],
                        decided_at__isnull=False,
                        withdrawn_by__isnull=True,
                        withdrawn_at__isnull=True,
                    )
                    | Q(status=IntroductionStatus.WITHDRAWN, withdrawn_at__isnull=False)
                ),
                name="introductions_introduction_state_fields",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=models.F("created_at")),
                name="introductions_introduction_decided_after_asked",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(withdrawn_at__gte=models.F("created_at")),
                name="introductions_introduction_withdrawn_after_asked",
            ),
            # One open request to a group per member at a time.
            models.UniqueConstraint(
                fields=["asker", "group"],
                condition=Q(status=IntroductionStatus.OPEN, kind=IntroductionKind.GROUP),
                name="introductions_one_open_request_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"Introduction {self.pk} ({self.get_status_display()})"


class MatchAnswer(models.TextChoices):
    PENDING = "pending", "Waiting for your answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"  # answered by someone else, withdrawn, or consent withdrawn


class IntroductionMatch(models.Model):
    """A member a request for a skill was sent to. Only they and the services read it: the
    asker never learns who was matched, nor how many."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="matches")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="introduction_matches"
    )
    distance_km = models.FloatField()
    answer = models.CharField(
        max_length=8, choices=MatchAnswer.choices, default=MatchAnswer.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["introduction", "member"], name="introductions_match_once_per_member"
            ),
            models.CheckConstraint(
                condition=Q(answer__in=MatchAnswer.values),
                name="introductions_match_answer_known",
            ),
            models.CheckConstraint(
                condition=Q(answer=MatchAnswer.PENDING, answered_at__isnull=True)
                | (~Q(answer=MatchAnswer.PENDING) & Q(answered_at__isnull=False)),
                name="introductions_match_answered_at_when_answered",
            ),
        ]
        indexes = [models.Index(fields=["member", "answer"])]

    def __str__(self) -> str:
        return f"Match {self.pk} of introduction {self.introduction_id}"
