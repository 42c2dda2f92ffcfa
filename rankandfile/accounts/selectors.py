"""Reads about members: consents, MFA state."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import ApiToken, Consent, User


def member_has_mfa(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True when the member has a passkey or TOTP (recovery codes alone do not count)."""
    if not user.is_authenticated:
        return False
    return bool(is_mfa_enabled(user, types=["totp", "webauthn"]))


def member_api_tokens(member: User) -> QuerySet[ApiToken]:
    """The member's tokens that still work, newest first."""
    return member.api_tokens.filter(expires_at__gt=timezone.now())


def member_api_token(member: User, token_id: int) -> ApiToken | None:
    """One of the member's own tokens that still works, or None."""
    return member_api_tokens(member).filter(pk=token_id).first()


def member_has_consent(member: User, purpose: ConsentPurpose) -> bool:
    return Consent.objects.filter(
        member=member, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def member_current_consents(member: User) -> dict[str, Consent]:
    current = Consent.objects.filter(member=member, withdrawn_at__isnull=True)
    return {consent.purpose: consent for consent in current}


def member_consent_history(member: User) -> QuerySet[Consent]:
    return Consent.objects.filter(member=member).order_by("-given_at")


def members_consenting_to(purpose: ConsentPurpose) -> QuerySet[User]:
    """Members who currently consent to a purpose: the only ones that purpose may process."""
    return User.objects.filter(
        is_active=True, consents__purpose=purpose, consents__withdrawn_at__isnull=True
    )
