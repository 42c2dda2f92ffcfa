"""Benchmark: does sign-up answer as fast for a registered email as for a new one?

Run from the repository root: ``python bench/signup_timing.py`` (writes
bench/results/signup_timing.json). In this process, on a fresh temporary SQLite database (or,
with DATABASE_URL, that database: it must be an empty one made for the purpose), it posts the
sign-up form ROUNDS times (default 40) with a registered email and as many times with a new
one, alternating, through Django's test client (the whole request: middleware, forms, allauth,
the outbox), and compares the median times. Rate limits are switched off for the run: the
sign-up limit (10 an hour per IP) is not what is measured.

Goal (our choice, and why): the median for a registered email within 0.8 to 1.25 times the
median for a new one. A difference well inside the spread of a single request cannot tell an
onlooker whether an address belongs to a member; the finding this guards against was 19 ms
against 292 ms (a ratio of 0.07).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "signup_timing.json"
ROUNDS = int(os.environ.get("ROUNDS", "40"))
GOAL = (0.8, 1.25)


def main() -> None:
    warnings.filterwarnings("ignore", "No directory at")
    with tempfile.TemporaryDirectory() as directory:
        os.environ.setdefault("SQLITE_PATH", str(Path(directory) / "bench.sqlite3"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankandfile.settings")
        os.environ["LOG_LEVEL"] = "WARNING"
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        known, unknown = _measure()
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
    ratio = known_ms / unknown_ms
    result = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "database": database,
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        },
        "figures": {
            "signup_median_ratio_known_to_unknown": {
                "value": round(ratio, 3),
                "unit": "ratio",
                "goal": f">= {GOAL[0]} and <= {GOAL[1]}",
                "met": GOAL[0] <= ratio <= GOAL[1],
                "note": f"median of {ROUNDS} sign-ups each, alternating",
            },
            "signup_median_known_email_ms": {
                "value": round(known_ms, 1),
                "unit": "ms",
                "goal": "reference",
                "met": True,
            },
            "signup_median_new_email_ms": {
                "value": round(unknown_ms, 1),
                "unit": "ms",
                "goal": "reference",
                "met": True,
            },
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["figures"], indent=2))


def _measure() -> tuple[list[float], list[float]]:
    from allauth.account.models import EmailAddress
    from django.test import Client, override_settings
    from django.urls import reverse

    from rankandfile.accounts.models import User

    password = "a long enough passphrase"
    member = User.objects.create_user("known@bench.invalid", password, display_name="Known")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    url = reverse("account_signup")
    known: list[float] = []
    unknown: list[float] = []
    with override_settings(ACCOUNT_RATE_LIMITS=False):
        for n in range(-2, ROUNDS):  # two rounds to warm up, not counted
            for email, times in (
                ("known@bench.invalid", known),
                (f"new{n + 2}@bench.invalid", unknown),
            ):
                data = {
                    "email": email,
                    "password1": password,
                    "password2": password,
                    "display_name": "Someone",
                    "consent_membership": "on",
                }
                client = Client(HTTP_HOST="127.0.0.1")
                started = time.perf_counter()
                response = client.post(url, data)
                elapsed = time.perf_counter() - started
                assert response.status_code == 302, response.status_code
                if n >= 0:
                    times.append(elapsed)
    return known, unknown


if __name__ == "__main__":
    main()
