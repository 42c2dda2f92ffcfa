"""Typed helpers that read settings from environment variables.

Every helper fails loudly (``ImproperlyConfigured``) on a value it cannot parse, so a typo in a
deployment stops the process at start-up instead of running with a silent default. Secrets can
also be given as ``NAME_FILE=/path/to/file`` (Docker and systemd credentials style).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_RATE = re.compile(r"[1-9][0-9]*/(?:[1-9][0-9]*)?[smhd]")


def _raw(name: str, environ: Mapping[str, str]) -> str | None:
    file_name = environ.get(f"{name}_FILE")
    if file_name is not None:
        if name in environ:
            raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return environ.get(name)


def env_str(name: str, default: str, *, environ: Mapping[str, str] = os.environ) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_optional(name: str, *, environ: Mapping[str, str] = os.environ) -> str | None:
    value = _raw(name, environ)
    return value or None


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] = os.environ
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_rate(name: str, default: str, *, environ: Mapping[str, str] = os.environ) -> str:
    """A rate limit: a count per period, "10/10m" for 10 in each 10 minutes (s, m, h or d)."""
    value = _raw(name, environ)
    if value is None:
        return default
    rate = value.strip()
    if not _RATE.fullmatch(rate):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: a count per period, such as 10/10m or 300/h."
        )
    return rate


def env_networks(
    name: str, default: list[str], *, environ: Mapping[str, str] = os.environ
) -> list[Network]:
    """Comma-separated addresses or networks in CIDR notation ("127.0.0.1,10.0.0.0/8,::1").

    A network with host bits set ("10.0.0.1/8") is refused: it is usually a typo for a wider or
    narrower network than meant."""
    networks = []
    for item in env_list(name, default, environ=environ):
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or network ({error})."
            ) from None
    return networks
