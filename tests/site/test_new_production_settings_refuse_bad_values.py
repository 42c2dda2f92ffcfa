"""The settings of the production set-up (connection pool, read replica, Redis, logs, metrics)
stop the process at start-up on a bad value, saying which variable and why."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_ROOT": "https://rankandfile.example",
    "ALLOWED_HOSTS": "rankandfile.example",
    "SMTP_HOST": "smtp.rankandfile.example",
    "FIELD_ENCRYPTION_KEYS": "cmFua2FuZGZpbGUtdGVzdC1rZXktYi0tLS0tLS0tLS0=",
    "LOOKUP_HASH_KEY": secrets.token_urlsafe(32),
}
POSTGRES = "postgres://rankandfile@db.internal:5432/rankandfile"
PRINT = (
    "from django.conf import settings; d = settings.DATABASES; "
    "print(sorted(d), d['default'].get('OPTIONS', {}).get('pool'), settings.READ_REPLICA, "
    "settings.STORAGES['staticfiles']['BACKEND'], settings.LOG_FORMAT, "
    "[str(n) for n in settings.METRICS_ALLOWED_ADDRESSES])"
)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unwanted = {*PRODUCTION, "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"}
    environ = {k: v for k, v in os.environ.items() if k not in unwanted} | PRODUCTION | env
    return subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_POOL_MAX_SIZE": "0"}, "DATABASE_POOL_MAX_SIZE=0 must be at least 1"),
        ({"DATABASE_POOL_MIN_SIZE": "many"}, "DATABASE_POOL_MIN_SIZE='many' is not an integer"),
        (
            {"DATABASE_POOL_MIN_SIZE": "9", "DATABASE_POOL_MAX_SIZE": "4"},
            "DATABASE_POOL_MIN_SIZE must not be above DATABASE_POOL_MAX_SIZE",
        ),
        ({"DATABASE_POOL": "perhaps"}, "DATABASE_POOL='perhaps' is not a boolean"),
        ({"DATABASE_REPLICA_URL": POSTGRES}, "DATABASE_REPLICA_URL needs DATABASE_URL"),
        (
            {"DATABASE_URL": POSTGRES, "DATABASE_REPLICA_URL": "mysql://db/rankandfile"},
            "DATABASE_REPLICA_URL must be a PostgreSQL URL",
        ),
        (
            {"DATABASE_URL": POSTGRES, "DATABASE_REPLICA_URL": "not a url"},
            "DATABASE_REPLICA_URL is not a database URL",
        ),
        ({"REPLICA_AFTER_WRITE_SECONDS": "0"}, "REPLICA_AFTER_WRITE_SECONDS=0 must be at least 1"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' is not a redis://"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not json or plain"),
        (
            {"METRICS_ALLOWED_ADDRESSES": "127.0.0.1,10.0.0.1/8"},
            "METRICS_ALLOWED_ADDRESSES: '10.0.0.1/8' is not an address or network",
        ),
        (
            {"METRICS_ALLOWED_ADDRESSES": "prometheus.internal"},
            "METRICS_ALLOWED_ADDRESSES: 'prometheus.internal' is not an address or network",
        ),
    ],
)
def test_a_bad_value_stops_start_up(env: dict[str, str], message: str) -> None:
    result = _manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_on_postgresql_pools_connections_and_hashes_static_files() -> None:
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT,
        DATABASE_URL=POSTGRES,
        DATABASE_REPLICA_URL=POSTGRES.replace("db.internal", "replica.internal"),
        DATABASE_POOL_MAX_SIZE="12",
        METRICS_ALLOWED_ADDRESSES="10.0.0.0/8, ::1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica'] {'min_size': 2, 'max_size': 12, 'timeout': 10} True "
        "whitenoise.storage.CompressedManifestStaticFilesStorage json ['10.0.0.0/8', '::1/128']"
    )


def test_sqlite_has_no_pool_and_debug_serves_static_files_as_they_are() -> None:
    result = _manage("shell", "--no-imports", "-c", PRINT, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default'] None False django.contrib.staticfiles.storage.StaticFilesStorage plain "
        "['127.0.0.1/32', '::1/128']"
    )
