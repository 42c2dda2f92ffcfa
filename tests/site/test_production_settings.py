"""Production settings pass Django's deployment checks; bad settings stop the process; HSTS
preload is a commitment an operator opts into (HSTS_PRELOAD=1), never a default."""

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
    # Members' personal fields are encrypted with these (rankandfile/lib/crypto.py).
    "FIELD_ENCRYPTION_KEYS": "cmFua2FuZGZpbGUtdGVzdC1rZXktYi0tLS0tLS0tLS0=",
    "LOOKUP_HASH_KEY": secrets.token_urlsafe(32),
}
PRINT_HSTS = (
    "from django.conf import settings; "
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD)"
)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests lift Django's async guard for this process; a deployment never does.
    unwanted = {*PRODUCTION, "HSTS_PRELOAD", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in unwanted} | env
    return subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_console_email_is_refused_in_production() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SMTP_HOST"}
    result = _manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout


def test_a_malformed_setting_stops_start_up() -> None:
    result = _manage("check", **(PRODUCTION | {"SMTP_PORT": "twenty-five"}))
    assert result.returncode != 0
    assert "SMTP_PORT='twenty-five' is not an integer" in result.stderr


def test_production_sends_hsts_without_preload_unless_asked() -> None:
    def hsts(**env: str) -> str:
        result = _manage("shell", "--no-imports", "-c", PRINT_HSTS, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert hsts(**PRODUCTION) == "31536000 False"
    assert hsts(**PRODUCTION, HSTS_PRELOAD="1") == "31536000 True"
