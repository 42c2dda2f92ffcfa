from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rankandfile.accounts.models import IssueTag, validate_postcode_district
from rankandfile.lib.geo import district_centroid, sphere_point
from rankandfile.lib.postcodes import postcode_area


class GroupKind(models.TextChoices):
    LOCAL_BRANCH = "local_branch", "Local party branch"
    UNION_BRANCH = "union_branch", "Trade union branch"
    LIBERATION_CAUCUS = "liberation_caucus", "Liberation caucus"
    CAMPAIGN = "campaign", "Campaign"
    COMMUNITY_ARTS = "community_arts", "Community or arts group"
    NATIONAL = "national", "National organisation"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone can see it and join at once"
    LISTED = "listed", "Listed: anyone can see it; an organiser approves each request to join"
    HIDDEN = "hidden", "Hidden: not listed; members join by invitation only"


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    ORGANISER = "organiser", "Organiser"


class Group(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=32, choices=GroupKind.choices)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    issues = models.ManyToManyField(IssueTag, blank=True, related_name="groups")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the network approved the group, or empty while it is not affiliated: the current
    # state of its Affiliation rows (their history), written with them by groups.affiliations,
    # so that a page of groups shows its badges without looking at the applications.
    affiliated_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["visibility", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("groups:detail", kwargs={"slug": self.slug})


class GroupDistrict(models.Model):
    """A postcode district a group covers; the area (letters) is kept for searching by place.

    ``sphere_x``, ``sphere_y`` and ``sphere_z`` are the district's centroid on the unit sphere
    (``lib.geo.sphere_point``; empty for a district the centroid table does not know), so that
    the directory orders and filters groups by distance in the database with plain arithmetic.
    ``GroupDistrict.covering`` fills them in.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="districts")
    district = models.CharField(max_length=4, validators=[validate_postcode_district])
    area = models.CharField(max_length=2, db_index=True)
    sphere_x = models.FloatField(null=True, blank=True, editable=False)
    sphere_y = models.FloatField(null=True, blank=True, editable=False)
    sphere_z = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["district"]
        constraints = [
            models.UniqueConstraint(fields=["group", "district"], name="groups_district_unique"),
        ]
        indexes = [
            models.Index(fields=["district"]),
            # z is the sine of the latitude: a range of it is a band of latitudes, the first
            # cut of a radius search.
            models.Index(fields=["sphere_z"], name="groups_district_sphere_z"),
        ]

    def __str__(self) -> str:
        return self.district

    @classmethod
    def covering(cls, *, group: Group, district: str) -> GroupDistrict:
        """An (unsaved) row saying the group covers the district (canonical form, ``LS6``),
        with its area and its place on the sphere."""
        centroid = district_centroid(district)
        x, y, z = sphere_point(centroid) if centroid else (None, None, None)
        return cls(
            group=group,
            district=district,
            area=postcode_area(district),
            sphere_x=x,
            sphere_y=y,
            sphere_z=z,
        )


class Membership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    # The member chose to be on the group's member list (display name, skills, interests) for
    # the other members. Off unless they turn it on; it ends with the membership.
    listed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="groups_membership_unique"),
        ]
        indexes = [models.Index(fields=["member", "role"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.group} ({self.role})"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class JoinRequest(models.Model):
    """A request to join a listed group, decided by one of its organisers."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    status = models.CharField(
        max_length=16, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=Q(status="pending"),
                name="groups_joinrequest_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} to join {self.group} ({self.status})"


class Invitation(models.Model):
    """An invitation to a (usually hidden) group, sent to one email address.

    Neither the address nor the link's token is stored: only keyed digests, enough to check that
    the member accepting is the one invited and that the link is genuine.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email_digest = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group", "email_digest"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.group}"


class AffiliationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a network coordinator"
    APPROVED = "approved", "Affiliated to the network"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left the network"


# An application that is still open or that made the group affiliated: at most one a group.
OPEN_AFFILIATION_STATUSES = (AffiliationStatus.PENDING, AffiliationStatus.APPROVED)


class Affiliation(models.Model):
    """A group's application to join the network, the coordinators' decision on it and, once
    approved, the group's leaving. The group is affiliated while its row is "approved"; a group
    that left or was declined may apply again, which makes a new row."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="affiliations")
    status = models.CharField(
        max_length=16, choices=AffiliationStatus.choices, default=AffiliationStatus.PENDING
    )
    statement = models.TextField(blank=True, max_length=1000)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    # SET_NULL, not PROTECT: a coordinator may erase their account; the decision stays, with
    # its time (the check constraint below) and the audit log's entry.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=1000)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status__in=OPEN_AFFILIATION_STATUSES),
                name="groups_affiliation_one_open_per_group",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AffiliationStatus.values),
                name="groups_affiliation_status_known",
            ),
            # Pending: undecided. Any other status: decided, at a time; declined: with a reason.
            models.CheckConstraint(
                condition=Q(status=AffiliationStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=AffiliationStatus.PENDING) & Q(decided_at__isnull=False)),
                name="groups_affiliation_decided_has_decided_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=AffiliationStatus.DECLINED) | ~Q(decline_reason=""),
                name="groups_affiliation_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=AffiliationStatus.LEFT, left_at__isnull=False)
                | (~Q(status=AffiliationStatus.LEFT) & Q(left_at__isnull=True)),
                name="groups_affiliation_left_has_left_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "applied_at"])]

    def __str__(self) -> str:
        return f"Affiliation {self.pk} of {self.group} ({self.status})"
