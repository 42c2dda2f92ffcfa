"""Shared names for the personas that tests/conftest.py builds through the real services."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from rankandfile.accounts.models import User
from rankandfile.groups.models import Group

TEST_PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

MakeMember = Callable[..., User]
MakeGroup = Callable[..., Group]
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
