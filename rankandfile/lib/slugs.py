"""Slugs that do not tell what else exists.

Numbering slugs ("-2", "-3") tells whoever gets "-2" that something of the same name exists,
even when that something is hidden. A random suffix tells nothing.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable

from django.utils.text import slugify

SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 6


def slug_new(text: str, *, fallback: str, taken: Callable[[str], bool], private: bool) -> str:
    """The plain slug of ``text`` if it is free and ``private`` is false, else the plain slug
    with a random suffix: "disabled-members-network-k3x9qa".

    Give ``private`` for whatever outsiders must not learn exists (a hidden group, a draft): it
    then never holds the plain slug, so a later namesake gets the plain slug and learns nothing.
    """
    base = slugify(text)[:120] or fallback
    if not private and not taken(base):
        return base
    while True:
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
        slug = f"{base}-{suffix}"
        if not taken(slug):
            return slug
