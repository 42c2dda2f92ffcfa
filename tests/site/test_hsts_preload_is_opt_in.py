"""HSTS preload is a commitment an operator opts into (HSTS_PRELOAD=1), never a default."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_ROOT": "https://rankandfile.example",
    "ALLOWED_HOSTS": "rankandfile.example",
    "SMTP_HOST": "smtp.rankandfile.example",
}
PRINT_HSTS = (
    "from django.conf import settings; "
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD)"
)


def _hsts(**env: str) -> str:
    unwanted = {*PRODUCTION, "HSTS_PRELOAD", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unwanted} | env
    result = subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "shell", "--no-imports", "-c", PRINT_HSTS],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    return result.stdout.strip()


def test_production_sends_hsts_without_preload_unless_asked() -> None:
    assert _hsts(**PRODUCTION) == "31536000 False"
    assert _hsts(**PRODUCTION, HSTS_PRELOAD="1") == "31536000 True"
