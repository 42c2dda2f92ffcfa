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

from rankandfile.lib.env import env_bool, env_int, env_list, env_optional, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The development key is refused by `check --deploy` (it starts with "django-insecure").
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-rankandfile-development-key-not-for-production")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
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
    "rankandfile.introductions",
    "rankandfile.operations",
    "rankandfile.demo",
]

MIDDLEWARE = [
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
_database_url = env_optional("DATABASE_URL")
if _database_url:
    try:
        _database: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=60))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
    _database["CONN_HEALTH_CHECKS"] = True
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_optional("REDIS_URL")
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
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = True

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
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
