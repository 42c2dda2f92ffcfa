"""Every write about members: sign-up completion, profile changes, consent given and withdrawn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.models import ApiToken, Consent, IssueTag, Skill, TokenScope, User
from rankandfile.lib.postcodes import normalise_postcode_district
from rankandfile.lib.tokens import token_digest, token_new


class ConsentRequiredError(Exception):
    """The member has not given (or has withdrawn) a consent the action needs."""

    def __init__(self, purpose: ConsentPurpose) -> None:
        self.purpose = purpose
        super().__init__(
            f"This needs your consent to “{CONSENT_TEXTS[purpose].summary}” "
            "You can give it on your consent settings page."
        )


@transaction.atomic
def member_signup_complete(
    *,
    member: User,
    display_name: str,
    postcode_district: str,
    consents: Iterable[ConsentPurpose],
) -> User:
    """Fill in the profile of a member who has just signed up and record their consents."""
    given = set(consents)
    if ConsentPurpose.MEMBERSHIP not in given:
        raise ConsentRequiredError(ConsentPurpose.MEMBERSHIP)
    member.display_name = display_name.strip()
    member.postcode_district = (
        normalise_postcode_district(postcode_district) if postcode_district.strip() else ""
    )
    member.full_clean(exclude=["password", "email"])
    member.save(update_fields=["display_name", "postcode_district"])
    for purpose in ConsentPurpose:
        if purpose in given:
            consent_give(member=member, purpose=purpose)
    return member


@transaction.atomic
def member_profile_update(
    *,
    member: User,
    display_name: str,
    postcode_district: str,
    interests: Iterable[IssueTag],
    skills: Iterable[Skill],
) -> User:
    member.display_name = display_name.strip()
    member.postcode_district = (
        normalise_postcode_district(postcode_district) if postcode_district.strip() else ""
    )
    member.full_clean(exclude=["password", "email"])
    member.save(update_fields=["display_name", "postcode_district"])
    member.interests.set(interests)
    member.skills.set(skills)
    return member


def _consent_under_current_text(member: User, purpose: ConsentPurpose, now: datetime) -> Consent:
    text = CONSENT_TEXTS[purpose]
    return Consent(
        member=member,
        purpose=purpose,
        text_version=text.version,
        lawful_basis=text.lawful_basis,
        given_at=now,
    )


def consent_give(*, member: User, purpose: ConsentPurpose) -> Consent:
    """Record explicit consent under the current text; giving it twice keeps the first record."""
    existing = Consent.objects.filter(
        member=member, purpose=purpose, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    consent = _consent_under_current_text(member, purpose, timezone.now())
    try:
        with transaction.atomic():
            consent.save(force_insert=True)
            return consent
    except IntegrityError:
        # A concurrent request recorded the same consent first: the database constraint allows
        # only one current consent per purpose, so that one stands.
        return Consent.objects.get(member=member, purpose=purpose, withdrawn_at__isnull=True)


def consents_give_in_bulk(
    *, members: Iterable[User], purpose: ConsentPurpose, now: datetime | None = None
) -> None:
    """Record consent under the current text for many members who have none yet, in one
    statement: for members made in bulk (demo data, benchmarks, test groups)."""
    now = now or timezone.now()
    Consent.objects.bulk_create(_consent_under_current_text(m, purpose, now) for m in members)


@transaction.atomic
def consent_withdraw(*, member: User, purpose: ConsentPurpose) -> bool:
    """Record that a consent is withdrawn. Returns False if none was current.

    What the consent covered stops because everything reads the current consent:

    - campaign email: the member drops out of every campaign-email recipient list, which is
      computed from current consents at send time.
    - introductions: organisers stop seeing the member's email address at once, because the
      organiser views read the current consent.
    - membership: joining needs it again; ending the member's groups is the groups app's part
      of the act (``groups.services.member_consent_withdraw``), which calls this.
    """
    withdrawn = Consent.objects.filter(
        member=member, purpose=purpose, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    return bool(withdrawn)


MAX_API_TOKENS = 10


@transaction.atomic
def api_token_create(*, member: User, name: str, scope: TokenScope) -> tuple[ApiToken, str]:
    """A new personal API token; the token itself is returned once and never stored.

    The page that calls this asks for a recent reauthentication first (a code from the
    member's email, or their second factor): a stolen session alone cannot make a token.
    """
    now = timezone.now()
    member.api_tokens.filter(expires_at__lte=now).delete()  # no use to anyone, and they count
    if member.api_tokens.count() >= MAX_API_TOKENS:
        raise ValueError(f"You can have at most {MAX_API_TOKENS} API tokens; revoke one first.")
    token = f"rf_{token_new()}"
    api_token = ApiToken.objects.create(
        member=member,
        name=name.strip() or "API token",
        token_digest=token_digest(token),
        scope=TokenScope(scope),
        expires_at=now + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    return api_token, token


def api_token_revoke(*, member: User, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(member=member, pk=token_id).delete()
    return bool(deleted)


def api_tokens_revoke_all(*, member: User) -> int:
    """Revoke every token of the member: their password changed or was reset, and a token
    made by whoever knew the old one must not outlive it, as their sessions do not."""
    deleted, _ = ApiToken.objects.filter(member=member).delete()
    return deleted


@dataclass(frozen=True)
class TokenBearer:
    """The member a valid token belongs to, and whether the token may write."""

    member: User
    may_write: bool


# A token's use is noted again once its last note is this old: the note is there for the member
# (to spot a token they do not use), and an hour is enough for that.
TOKEN_USE_NOTE_EVERY = timedelta(hours=1)


def api_token_authenticate(token: str) -> TokenBearer | None:
    """The active member an unexpired token belongs to, noting (to the hour) that the token
    was used; None for an unknown, revoked or expired token, or an inactive member.

    It runs before every API call: one query, and a write at most once an hour per token.
    """
    now = timezone.now()
    api_token = (
        ApiToken.objects.select_related("member")
        .filter(token_digest=token_digest(token), member__is_active=True, expires_at__gt=now)
        .first()
    )
    if api_token is None:
        return None
    last_used = api_token.last_used_at
    if last_used is None or now - last_used >= TOKEN_USE_NOTE_EVERY:
        # Conditional, so that of many requests noting the same use at once only one writes.
        due = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_NOTE_EVERY)
        ApiToken.objects.filter(due, pk=api_token.pk).update(last_used_at=now)
    return TokenBearer(member=api_token.member, may_write=api_token.scope == TokenScope.READ_WRITE)
