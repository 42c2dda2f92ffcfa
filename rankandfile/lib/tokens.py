"""Random tokens and keyed digests, so that secrets are never stored in the clear."""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac


def token_new() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256. A leaked table yields no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(value: str, *, purpose: str) -> str:
    """An HMAC of a value under the application's key, for look-ups without keeping the value.

    Emails are compared case-insensitively, so callers pass normalised values.
    """
    return salted_hmac(f"rankandfile.{purpose}", value, algorithm="sha256").hexdigest()
