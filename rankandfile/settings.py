"""Settings for Rank and File: one file, read from environment variables.

With no environment at all the project runs on SQLite with console email, so that a fresh clone
works at once. Production sets at least ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and
``SMTP_HOST``; ``manage.py check --deploy`` must then be clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from rankandfile.lib.crypto import (
    DEVELOPMENT_ENCRYPTION_KEY,
    DEVELOPMENT_LOOKUP_HASH_KEY,
    Keyring,
)
from rankandfile.lib.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_optional,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The development key is refused by `check --deploy` (it starts with "django-insecure").
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-rankandfile-development-key-not-for-production")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
# Members' personal fields are encrypted at rest (rankandfile/lib/crypto.py): the first key of
# FIELD_ENCRYPTION_KEYS (comma-separated, base64 of 32 bytes; `rankandfile manage rotate_keys
# --new-key` prints one) encrypts, all of them decrypt; LOOKUP_HASH_KEY keys the look-up
# digests (log-in by email). Both may be given as *_FILE. Development (DEBUG, or the development
# SECRET_KEY) uses fixed keys and says so; production refuses to start without its own.
DEVELOPMENT = DEBUG or SECRET_KEY.startswith("django-insecure-rankandfile-development")
_field_keys = env_list("FIELD_ENCRYPTION_KEYS", [])
_lookup_key = env_optional("LOOKUP_HASH_KEY")
if (not _field_keys or not _lookup_key) and not DEVELOPMENT:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and LOOKUP_HASH_KEY (or their *_FILE forms) must be set in "
        "production: members' personal fields are encrypted with them."
    )
# rankandfile/apps.py says, in `manage.py check` and `runserver`, that development keys are used.
FIELD_ENCRYPTION_DEVELOPMENT_KEYS = not (_field_keys and _lookup_key)
FIELD_ENCRYPTION = Keyring.from_texts(
    _field_keys or [DEVELOPMENT_ENCRYPTION_KEY], _lookup_key or DEVELOPMENT_LOOKUP_HASH_KEY
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_ROOT = env_str("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Rank and File")
CSRF_TRUSTED_ORIGINS = [SITE_ROOT] if SITE_ROOT.startswith("https://") else []

INSTALLED_APPS = [
    "rankandfile.apps.RankAndFileAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search on PostgreSQL (resources/search.py)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
    "rankandfile.accounts",
    "rankandfile.groups",
    "rankandfile.audit",
    "rankandfile.ballots",
    "rankandfile.notifications",
    "rankandfile.campaigns",
    "rankandfile.opinions",
    "rankandfile.proposals",
    "rankandfile.events",
    "rankandfile.resources",
    "rankandfile.introductions",
    "rankandfile.privacy",
    "rankandfile.operations",
    "rankandfile.demo",
]

MIDDLEWARE = [
    "rankandfile.lib.request_id.RequestIdMiddleware",
    "rankandfile.metrics.RequestMetricsMiddleware",
    "rankandfile.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "rankandfile.middleware.MethodNotAllowedPageMiddleware",
    "rankandfile.db_router.ReplicaMiddleware",
]

ROOT_URLCONF = "rankandfile.urls"
CSRF_FAILURE_VIEW = "rankandfile.views.csrf_failure"
WSGI_APPLICATION = "rankandfile.wsgi.application"
ASGI_APPLICATION = "rankandfile.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rankandfile.context_processors.site",
            ],
            # {% error_summary %} on every form page, without a {% load %} in each template.
            "builtins": ["rankandfile.lib.form_tags", "rankandfile.lib.markdown_tags"],
        },
    }
]

# Database: SQLite by default, so a clone runs with no server; PostgreSQL via DATABASE_URL.
# On PostgreSQL each process keeps a pool of connections (psycopg's pool): at least
# DATABASE_POOL_MIN_SIZE open, at most DATABASE_POOL_MAX_SIZE (one per thread serving at once is
# enough), a request waiting at most DATABASE_POOL_TIMEOUT seconds for one. DATABASE_POOL=0 turns
# it off (then a connection is kept for 60 seconds, as before; use that behind pgbouncer).
_DATABASE_POOL_ON = env_bool("DATABASE_POOL", True)
_DATABASE_POOL = {
    "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=0),
    "max_size": env_int("DATABASE_POOL_MAX_SIZE", 8, minimum=1),
    "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
}
if _DATABASE_POOL["min_size"] > _DATABASE_POOL["max_size"]:
    raise ImproperlyConfigured("DATABASE_POOL_MIN_SIZE must not be above DATABASE_POOL_MAX_SIZE.")


def _server_database(name: str, url: str) -> dict[str, Any]:
    pool = _DATABASE_POOL_ON
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0 if pool else 60))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a database URL: {error}") from error
    if not database["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(f"{name} must be a PostgreSQL URL (postgres://...).")
    if pool:
        database.setdefault("OPTIONS", {})["pool"] = dict(_DATABASE_POOL)
    # With the pool, Django then has psycopg check a connection before handing it out: one that
    # died while pooled (a database restart) is replaced, for one round trip per request.
    database["CONN_HEALTH_CHECKS"] = True
    return database


_database_url = env_optional("DATABASE_URL")
if _database_url:
    _database = _server_database("DATABASE_URL", _database_url)
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "rankandfile.sqlite3")),
        "OPTIONS": {
            # WAL lets the web server read while the task worker writes; IMMEDIATE avoids
            # "database is locked" errors when two writers upgrade their locks at once.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _database}
# A streaming replica of the primary (PostgreSQL only): the pages that may be a second stale, read
# by visitors who have not written in the last REPLICA_AFTER_WRITE_SECONDS, read it
# (rankandfile/db_router.py). Without it every read goes to the primary.
_replica_url = env_optional("DATABASE_REPLICA_URL")
if _replica_url:
    if not _database_url:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (PostgreSQL).")
    DATABASES["replica"] = _server_database("DATABASE_REPLICA_URL", _replica_url)
    # Tests (if ever run with a replica configured) read the primary's test database through it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA = "replica" in DATABASES
REPLICA_AFTER_WRITE_SECONDS = env_int("REPLICA_AFTER_WRITE_SECONDS", 10, minimum=1)
DATABASE_ROUTERS = ["rankandfile.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (rate limits, the counters' one-second copies) is shared by every process only in
# Redis; in local memory each process has its own.
_redis_url = env_optional("REDIS_URL")
if _redis_url and not _redis_url.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={_redis_url!r} is not a redis:// or rediss:// URL.")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id at OWASP's parameters (rankandfile/accounts/hashers.py says why not Django's).
PASSWORD_HASHERS = [
    "rankandfile.accounts.hashers.OwaspArgon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; it must be verified; nothing reveals whether an email is
# registered (sign-up and password reset answer the same for known and unknown addresses).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "rankandfile.accounts.forms.MemberSignupForm"
ACCOUNT_FORMS = {"signup": "rankandfile.accounts.signup.SignupForm"}
ACCOUNT_ADAPTER = "rankandfile.account_adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_ROOT.startswith("https://") else "http"
ACCOUNT_RATE_LIMITS = {
    "signup": "10/h/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Reauthenticating (before adding or removing a second factor, or making an API token) takes a
# code sent to the member's verified email, or their second factor: never the password alone, so
# that someone who has only the password cannot enrol a TOTP of their own.
ACCOUNT_REAUTHENTICATION_METHODS = ["code", "mfa"]
MFA_REAUTHENTICATION_REQUIRED = True
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_FORMS = {"add_webauthn": "rankandfile.accounts.mfa_forms.AddWebAuthnForm"}
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not SITE_ROOT.startswith("https://")
# Not on every request: it would write (and keep the IP address) on each page view.
USERSESSIONS_TRACK_ACTIVITY = False

# Pledge changes (pledge, change, withdraw) and votes, on the pages and the API: at most this
# many per member and per address (IP) in each period, counted in the cache (django-ratelimit;
# shared between processes only with REDIS_URL). A member rarely changes a pledge more than a
# few times; many members may share one address (a workplace, a mobile network), so the
# per-address limits are much higher.
RATE_LIMITS: dict[str, dict[str, str]] = {
    "pledge": {
        "member": env_rate("RATE_LIMIT_PLEDGE_MEMBER", "10/10m"),
        "ip": env_rate("RATE_LIMIT_PLEDGE_IP", "300/10m"),
    },
    "vote": {
        "member": env_rate("RATE_LIMIT_VOTE_MEMBER", "10/10m"),
        "ip": env_rate("RATE_LIMIT_VOTE_IP", "300/10m"),
    },
    # A conversation's votes and statements: a member votes on statement after statement.
    "opinion": {
        "member": env_rate("RATE_LIMIT_OPINION_MEMBER", "300/10m"),
        "ip": env_rate("RATE_LIMIT_OPINION_IP", "3000/10m"),
    },
    # Proposals in the API: drafts, support, amendments, comments and reports.
    "proposal": {
        "member": env_rate("RATE_LIMIT_PROPOSAL_MEMBER", "60/10m"),
        "ip": env_rate("RATE_LIMIT_PROPOSAL_IP", "600/10m"),
    },
    # Introductions: asking, accepting, declining and withdrawing. Each reaches other members,
    # so the limit is low; at most 5 requests may be open at once besides (introductions).
    "introduction": {
        "member": env_rate("RATE_LIMIT_INTRODUCTION_MEMBER", "20/h"),
        "ip": env_rate("RATE_LIMIT_INTRODUCTION_IP", "200/h"),
    },
}

# Email: a real SMTP connection when SMTP_HOST is set, otherwise printed to the console.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rank and File <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_smtp_host = env_optional("SMTP_HOST")
MAILERS: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("SMTP_PORT", 587, minimum=1),
                "username": env_str("SMTP_USER", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", True),
                "timeout": env_int("SMTP_TIMEOUT", 30, minimum=1),
            },
        }
        if _smtp_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}

# The outbox (rankandfile.notifications): batch size and lease of one sender's claim, retries
# with exponential back-off (base * 2^(attempt-1), capped), dead-letter after the last attempt.
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 200, minimum=1)
NOTIFICATIONS_LEASE_SECONDS = env_int("NOTIFICATIONS_LEASE_SECONDS", 300, minimum=1)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60, minimum=0)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600, minimum=0)
NOTIFICATIONS_MESSAGE_ID_DOMAIN = env_str("NOTIFICATIONS_MESSAGE_ID_DOMAIN", "")
# SMTP connections one sender keeps open side by side for a batch (one per 25 messages, up to
# this), driven by one thread: one connection waits on the server's replies most of the time.
NOTIFICATIONS_SENDER_CONNECTIONS = env_int("NOTIFICATIONS_SENDER_CONNECTIONS", 4, minimum=1)

# Days a personal API token works for after it is made.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90, minimum=1)

# Retention of personal data, in days (rankandfile/privacy/retention.py; the daily job
# privacy_retention_run deletes what is past its period; the privacy notice at /privacy/ lists
# every RETENTION_* setting). Sessions end after SESSION_COOKIE_AGE and are then cleared.
# Accounts never verified and never logged in, from sign-up.
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env_int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", 7, minimum=1)
# Outbox messages sent (or sent in a digest, or not sent because consent was withdrawn).
RETENTION_SENT_MESSAGE_DAYS = env_int("RETENTION_SENT_MESSAGE_DAYS", 30, minimum=1)
# Outbox messages that could not be delivered, from their last attempt.
RETENTION_DEAD_LETTER_DAYS = env_int("RETENTION_DEAD_LETTER_DAYS", 90, minimum=1)
# Introduction requests: declined or withdrawn ones from then; open ones from their last answer
# (or from when they were asked). Accepted ones are kept while they stand.
RETENTION_INTRODUCTION_DAYS = env_int("RETENTION_INTRODUCTION_DAYS", 90, minimum=1)
# Audit log entries.
RETENTION_AUDIT_LOG_DAYS = env_int("RETENTION_AUDIT_LOG_DAYS", 730, minimum=1)
# Group invitations, from the day their link expired.
RETENTION_EXPIRED_INVITATION_DAYS = env_int("RETENTION_EXPIRED_INVITATION_DAYS", 30, minimum=1)
# Personal API tokens, from the day they expired.
RETENTION_EXPIRED_API_TOKEN_DAYS = env_int("RETENTION_EXPIRED_API_TOKEN_DAYS", 30, minimum=1)
# Replies to events (going, waiting list), from the end of the event.
RETENTION_EVENT_RSVP_DAYS = env_int("RETENTION_EVENT_RSVP_DAYS", 90, minimum=1)
# Stored results of finished background jobs.
RETENTION_TASK_RESULT_DAYS = env_int("RETENTION_TASK_RESULT_DAYS", 7, minimum=1)
# A member's data download (privacy.export), from its download or the expiry of its link (24
# hours after it was ready): the document itself is blanked as it is downloaded.
RETENTION_DATA_EXPORT_DAYS = env_int("RETENTION_DATA_EXPORT_DAYS", 0, minimum=0)

# The privacy notice (/privacy/) and docs/record-of-processing.md: who is the controller, how to
# reach them, and who processes members' data for them. The defaults say what to configure.
PRIVACY_CONTROLLER = env_str(
    "PRIVACY_CONTROLLER", "The organisation running this site (configure PRIVACY_CONTROLLER)"
)
PRIVACY_CONTACT = env_str(
    "PRIVACY_CONTACT", "the site's operators (configure PRIVACY_CONTACT with an email address)"
)
# Processors as "name: what they do" entries, separated by ";".
PRIVACY_PROCESSORS = [
    entry.strip()
    for entry in env_str(
        "PRIVACY_PROCESSORS",
        "Hosting provider: runs the servers and stores the database "
        "(configure PRIVACY_PROCESSORS);"
        + (
            f"Email relay ({_smtp_host}): delivers email"
            if _smtp_host
            else "Email relay: delivers email (configure SMTP_HOST and PRIVACY_PROCESSORS)"
        ),
    ).split(";")
    if entry.strip()
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
# Members' files (the resource hub) go through Django's storage API: on disk under MEDIA_ROOT by
# default, or any storage backend (object storage) named by FILE_STORAGE_BACKEND. They are never
# served from a public address (no MEDIA_URL): only through signed links that expire.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    # Without DEBUG, static files are served (by whitenoise, or by nginx from STATIC_ROOT)
    # under names with a hash of their content, compressed, cached for good: `collectstatic`
    # writes them and is part of every deployment (docs/deploy.md). With DEBUG they are served
    # as they are.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# The age key of backups (`rankandfile manage backup FILE`, docs/operations.md): its secret half
# (AGE-SECRET-KEY-1..., or a file of `rankandfile manage backup --new-key` as BACKUP_KEY_FILE)
# makes and reads them; its public half (age1...) only makes them. Checked when a backup runs.
BACKUP_KEY = env_optional("BACKUP_KEY")

# The largest file a member may add to the hub, and how long a link to a file works.
RESOURCES_FILE_MAX_BYTES = env_int("RESOURCES_FILE_MAX_BYTES", 10_000_000, minimum=1)
RESOURCES_FILE_LINK_SECONDS = env_int("RESOURCES_FILE_LINK_SECONDS", 15 * 60, minimum=1)

# Security headers on every response.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=60)
_https = SITE_ROOT.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
# Preloading is a promise to browser vendors that is slow to take back (every subdomain, HTTPS
# only, for months): an operator opts in with HSTS_PRELOAD=1 once the domain is ready for it.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
# `check --deploy` warns when preload is off; off is this project's deliberate default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# User.email is encrypted at rest, so its uniqueness is held by the unique User.email_digest.
SILENCED_SYSTEM_CHECKS.append("auth.W004")
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to standard error, one JSON object a line (LOG_FORMAT=json, the default unless DEBUG)
# with the request id of the request that made them (rankandfile/lib/request_id.py), or as
# plain text (LOG_FORMAT=plain, the default with DEBUG).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not json or plain.")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rankandfile.lib.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Prometheus metrics at /metrics (rankandfile/metrics.py), answered only to these addresses or
# networks (CIDR): the address of the peer that connects to the app server, so behind nginx on
# the same machine that is nginx's own address, and nginx's site refuses /metrics itself.
METRICS_ALLOWED_ADDRESSES = env_networks("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
