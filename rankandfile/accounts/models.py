from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.lib.fields import EncryptedTextField, LookupDigestField
from rankandfile.lib.postcodes import PostcodeDistrictError, normalise_postcode_district


def validate_postcode_district(value: str) -> None:
    try:
        if normalise_postcode_district(value) != value:
            raise ValidationError("Store the district in canonical form, for example LS6.")
    except PostcodeDistrictError as error:
        raise ValidationError(str(error)) from error


class _NamedTag(models.Model):
    """A short named label chosen from a list the staff keep."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IssueTag(_NamedTag):
    """An issue members care about and groups campaign on: housing, health service, low pay..."""


class Skill(_NamedTag):
    """Something a member offers to the network: design, first aid, legal knowledge..."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A member. Email is the login; the display name may be a pseudonym.

    No real name, address or full postcode is kept: only the postcode district.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    # Email, display name and district are encrypted at rest (rankandfile/lib/fields.py). Log-in
    # and uniqueness go by ``email_digest`` (``User.objects.filter(email=...)`` is answered from
    # it, case-insensitively); introductions find members near a district by its digest.
    # allauth's own EmailAddress.email stays plaintext: allauth looks addresses up in it.
    email = EncryptedTextField(
        "email address",
        max_length=254,
        validators=[validate_email],
        lower_case=True,
        digest_field="email_digest",
    )
    email_digest = LookupDigestField(source="email", unique=True)
    display_name = EncryptedTextField(
        max_length=60, help_text="Shown to other members. It may be a pseudonym."
    )
    postcode_district = EncryptedTextField(
        max_length=4,
        blank=True,
        validators=[validate_postcode_district],
        digest_field="postcode_district_digest",
    )
    postcode_district_digest = LookupDigestField(
        source="postcode_district", blank=True, db_index=True
    )
    interests = models.ManyToManyField(IssueTag, blank=True, related_name="interested_members")
    skills = models.ManyToManyField(Skill, blank=True, related_name="members")
    is_network_coordinator = models.BooleanField(
        default=False,
        help_text=(
            "Network coordinators decide which groups join the network and approve what is "
            "published network-wide. Their pages need a second factor, as organisers' do."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        # Email uniqueness is held by the unique ``email_digest`` (settings silence auth.W004).
        pass

    def __str__(self) -> str:
        return self.display_name or f"Member {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A digest is saved with the field it is of.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = set(update_fields)
            for name, digest in _DIGESTS.items():
                if name in fields:
                    fields.add(digest)
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


_DIGESTS = {"email": "email_digest", "postcode_district": "postcode_district_digest"}


class Consent(models.Model):
    """One explicit consent to one purpose: the text version agreed to, when, and withdrawal.

    Records are never deleted when consent is withdrawn (they are the proof of what was agreed
    and when); at most one consent per member and purpose is current at a time.
    """

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    text_version = models.CharField(max_length=32)
    lawful_basis = models.CharField(max_length=200)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="accounts_consent_one_current_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="accounts_consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["purpose", "withdrawn_at"])]
        ordering = ["-given_at"]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "current"
        return f"{self.get_purpose_display()} ({self.text_version}, {state})"


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write (pledge, withdraw a pledge, vote)"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is kept; the member sees the token once.

    It expires (``API_TOKEN_LIFETIME_DAYS`` after it is made), it may only read unless the
    member chose otherwise, and it dies with a password change or reset.
    """

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    token_digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=TokenScope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values), name="accounts_apitoken_scope_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="accounts_apitoken_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return self.name
