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
