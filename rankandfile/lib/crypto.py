"""Encryption at rest of members' personal fields, and keyed look-up hashes.

A value is stored as ``enc1:<key id>:<base64 of nonce + AES-256-GCM ciphertext>``. The key id is
the first 8 hex digits of the SHA-256 of the key, so several keys can be live at once during a
rotation: the first key of ``FIELD_ENCRYPTION_KEYS`` encrypts, every listed key decrypts, and
``rankandfile manage rotate_keys`` re-encrypts every row under the first key.

A value without the ``enc1:`` prefix is read as it is: a row written before encryption was
switched on. The migrations and ``rotate_keys`` encrypt such rows.

Values that are looked up (log-in by email, members near a district) also get a keyed hash,
HMAC-SHA256 with ``LOOKUP_HASH_KEY``: equal values give equal digests, and nobody without that
key can test a guess against them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"
NONCE_BYTES = 12

# Used only in development and tests (DEBUG, or the development SECRET_KEY); production refuses
# to start without its own keys (rankandfile/settings.py).
DEVELOPMENT_ENCRYPTION_KEY = "cmFua2FuZGZpbGUtZGV2ZWxvcG1lbnQta2V5LW9ubHk="
DEVELOPMENT_LOOKUP_HASH_KEY = "development-lookup-hash-key-not-for-production"


class DecryptionError(Exception):
    """A stored value that no configured key opens."""


def parse_key(text: str) -> bytes:
    """A 32-byte key from its URL-safe or standard base64 form (``rankandfile manage
    generate_field_key`` prints one)."""
    cleaned = text.strip()
    try:
        key = base64.urlsafe_b64decode(cleaned.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("An encryption key is not valid base64.") from error
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"An encryption key must be 32 bytes (44 base64 characters), not {len(key)} bytes."
        )
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """The keys in use: ``keys[0]`` encrypts; every key decrypts; ``lookup`` keys the digests."""

    keys: tuple[bytes, ...]
    lookup: bytes

    @classmethod
    def from_texts(cls, keys: list[str], lookup: str) -> Keyring:
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists no key.")
        if not lookup:
            raise ImproperlyConfigured("LOOKUP_HASH_KEY is empty.")
        parsed = tuple(parse_key(k) for k in keys)
        if len({key_id(k) for k in parsed}) != len(parsed):
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists the same key twice.")
        return cls(keys=parsed, lookup=lookup.encode("utf-8"))

    @property
    def current_id(self) -> str:
        return key_id(self.keys[0])


@cache
def _ciphers(keys: tuple[bytes, ...]) -> dict[str, AESGCM]:
    return {key_id(k): AESGCM(k) for k in keys}


def keyring() -> Keyring:
    from django.conf import settings

    ring: Keyring = settings.FIELD_ENCRYPTION
    return ring


def encrypt(value: str, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _ciphers(ring.keys)[ring.current_id].encrypt(nonce, value.encode("utf-8"), None)
    body = base64.b64encode(nonce + sealed).decode("ascii")
    return f"{PREFIX}{ring.current_id}:{body}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def stored_key_id(stored: str) -> str | None:
    """The id of the key a stored value is under; None for a plaintext (legacy) value."""
    if not is_encrypted(stored):
        return None
    return stored[len(PREFIX) :].split(":", 1)[0]


def decrypt(stored: str, *, ring: Keyring | None = None) -> str:
    if not is_encrypted(stored):
        return stored
    ring = ring or keyring()
    try:
        kid, body = stored[len(PREFIX) :].split(":", 1)
        raw = base64.b64decode(body)
    except (ValueError, binascii.Error) as error:
        raise DecryptionError("A stored value is not a well-formed ciphertext.") from error
    cipher = _ciphers(ring.keys).get(kid)
    if cipher is None:
        raise DecryptionError(
            f"A value is encrypted with key {kid}, which FIELD_ENCRYPTION_KEYS does not list."
        )
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
    except InvalidTag as error:
        raise DecryptionError(f"A value under key {kid} does not decrypt (tampered?).") from error


def lookup_digest(value: str, *, ring: Keyring | None = None) -> str:
    """HMAC-SHA256 of a value for look-ups by equality; 64 hex digits."""
    ring = ring or keyring()
    return hmac.new(ring.lookup, value.encode("utf-8"), hashlib.sha256).hexdigest()
