"""What the privacy notice says, read from where the facts live: the consent purposes and their
texts (``accounts.consents``), the retention periods (``settings.RETENTION_*`` through
``privacy.retention.RULES``) and the controller and processors (``settings.PRIVACY_*``).

docs/record-of-processing.md states the same facts for the record of processing (Art. 30).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentText
from rankandfile.privacy.retention import RULES


@dataclass(frozen=True)
class RetentionPeriod:
    kind: str
    label: str
    setting: str
    days: int


@dataclass(frozen=True)
class Notice:
    controller: str
    contact: str
    consents: list[ConsentText]
    retention: list[RetentionPeriod]
    session_days: int
    processors: list[str]


def privacy_notice() -> Notice:
    return Notice(
        controller=settings.PRIVACY_CONTROLLER,
        contact=settings.PRIVACY_CONTACT,
        consents=list(CONSENT_TEXTS.values()),
        retention=[
            RetentionPeriod(kind=rule.kind, label=rule.label, setting=rule.setting, days=rule.days)
            for rule in RULES
        ],
        session_days=max(1, settings.SESSION_COOKIE_AGE // 86400),
        processors=list(settings.PRIVACY_PROCESSORS),
    )
