"""Retention: personal data with an end is deleted once it is past its period.

Each rule names what it deletes, the setting that holds its period (in days, from
``settings.RETENTION_*``) and the rows past that period at a given moment: a row is past its
period when its moment (sent, closed, expired, ...) is strictly earlier than ``now - period``.
``privacy_retention_run`` applies every rule in its own transaction and returns the count per
kind; the daily job (``privacy.retention_tasks``) and ``manage retention_run`` call it. The
privacy notice (``privacy.notice``) and docs/record-of-processing.md say the same periods.

Decisions (README, "Retention"):
- Unverified accounts: never verified, never logged in, and not staff; deleted with their data.
- Sessions: Django's own expiry (``SESSION_COOKIE_AGE``); expired ones are cleared as
  ``clearsessions`` does, and so are allauth's session records (address, browser) left without
  a session.
- Introductions: declined or withdrawn ones from when they closed; open ones from their last
  answer by a matched member, or from when they were asked if nobody answered; accepted ones are
  kept while they stand (each side still sees the other's contact detail), and count from their
  withdrawal once withdrawn.
- Closed conversations: their votes are only an anonymous matrix; a member key left on a
  participant of a closed conversation is cleared (counted, and there should be none).
- Event replies and the sessions chosen at a gathering: deleted ``RETENTION_EVENT_RSVP_DAYS``
  after the event ended; the event stays.
- Data downloads (``privacy.export``): the document is blanked as it is downloaded; the row,
  or a document never downloaded, goes ``RETENTION_DATA_EXPORT_DAYS`` (0) after it was
  downloaded or its link expired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankandfile.accounts.models import ApiToken, User
from rankandfile.audit.models import AuditEntry
from rankandfile.audit.services import audit_record
from rankandfile.events.models import Rsvp, SessionChoice
from rankandfile.groups.models import Invitation
from rankandfile.introductions.models import Introduction, IntroductionStatus
from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.opinions.models import ConversationState, Participant
from rankandfile.privacy.models import DataExport

logger = logging.getLogger(__name__)

Rows = QuerySet[Any]


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    # What is deleted and from when, as the privacy notice says it.
    label: str
    setting: str
    rows: Callable[[datetime], Rows]

    @property
    def days(self) -> int:
        days: int = getattr(settings, self.setting)
        return days

    def past_period(self, now: datetime) -> Rows:
        return self.rows(now - timedelta(days=self.days))


def _unverified_accounts(cutoff: datetime) -> Rows:
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    return User.objects.filter(
        date_joined__lt=cutoff, last_login__isnull=True, is_staff=False, is_superuser=False
    ).exclude(pk__in=verified)


def _sent_messages(cutoff: datetime) -> Rows:
    return Message.objects.filter(
        Q(status__in=[MessageStatus.SENT, MessageStatus.DIGESTED], sent_at__lt=cutoff)
        | Q(status=MessageStatus.SKIPPED, created_at__lt=cutoff)
    )


def _dead_letters(cutoff: datetime) -> Rows:
    # A dead letter's next attempt is set to the moment it died (notifications.sending).
    return Message.objects.filter(status=MessageStatus.DEAD, next_attempt_at__lt=cutoff)


def _introductions(cutoff: datetime) -> Rows:
    closed = Q(status=IntroductionStatus.DECLINED, decided_at__lt=cutoff) | Q(
        status=IntroductionStatus.WITHDRAWN, withdrawn_at__lt=cutoff
    )
    stale_open = Introduction.objects.filter(status=IntroductionStatus.OPEN).annotate(
        last_answer=Coalesce(Max("matches__answered_at"), "created_at")
    )
    return Introduction.objects.filter(
        closed | Q(pk__in=stale_open.filter(last_answer__lt=cutoff).values("pk"))
    )


def _audit_entries(cutoff: datetime) -> Rows:
    return AuditEntry.objects.filter(created_at__lt=cutoff)


def _expired_invitations(cutoff: datetime) -> Rows:
    return Invitation.objects.filter(expires_at__lt=cutoff)


def _expired_api_tokens(cutoff: datetime) -> Rows:
    return ApiToken.objects.filter(expires_at__lt=cutoff)


def _event_rsvps(cutoff: datetime) -> Rows:
    return Rsvp.objects.filter(event__ends_at__lt=cutoff)


def _session_choices(cutoff: datetime) -> Rows:
    return SessionChoice.objects.filter(session__event__ends_at__lt=cutoff)


def _data_exports(cutoff: datetime) -> Rows:
    return DataExport.objects.filter(Q(downloaded_at__lt=cutoff) | Q(expires_at__lt=cutoff))


def _task_results(cutoff: datetime) -> Rows:
    return DBTaskResult.objects.filter(finished_at__lt=cutoff)


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "unverified_accounts",
        "Accounts whose email address was never verified and that never logged in, with "
        "everything they hold: deleted this many days after sign-up",
        "RETENTION_UNVERIFIED_ACCOUNT_DAYS",
        _unverified_accounts,
    ),
    RetentionRule(
        "sent_messages",
        "Emails in the outbox once sent (or not sent because consent was withdrawn): deleted "
        "this many days after sending",
        "RETENTION_SENT_MESSAGE_DAYS",
        _sent_messages,
    ),
    RetentionRule(
        "dead_letters",
        "Emails that could not be delivered: deleted this many days after the last attempt",
        "RETENTION_DEAD_LETTER_DAYS",
        _dead_letters,
    ),
    RetentionRule(
        "introductions",
        "Requests for introductions: declined or withdrawn ones this many days after they "
        "closed; unanswered ones this many days after the last answer, or after they were "
        "asked; accepted ones are kept while they stand",
        "RETENTION_INTRODUCTION_DAYS",
        _introductions,
    ),
    RetentionRule(
        "audit_entries",
        "The audit log of organisers' and coordinators' actions: deleted after this many days",
        "RETENTION_AUDIT_LOG_DAYS",
        _audit_entries,
    ),
    RetentionRule(
        "expired_invitations",
        "Invitations to groups: deleted this many days after their link expired",
        "RETENTION_EXPIRED_INVITATION_DAYS",
        _expired_invitations,
    ),
    RetentionRule(
        "expired_api_tokens",
        "Personal API tokens: deleted this many days after they expired",
        "RETENTION_EXPIRED_API_TOKEN_DAYS",
        _expired_api_tokens,
    ),
    RetentionRule(
        "event_rsvps",
        "Who said they would come to an event: deleted this many days after the event ended",
        "RETENTION_EVENT_RSVP_DAYS",
        _event_rsvps,
    ),
    RetentionRule(
        "event_session_choices",
        "Which sessions of a gathering members chose: deleted this many days after the "
        "gathering ended",
        "RETENTION_EVENT_RSVP_DAYS",
        _session_choices,
    ),
    RetentionRule(
        "data_exports",
        "Your data downloads (“Download my data”): deleted as you download them, or this many "
        "days after their link expired (24 hours after they were ready)",
        "RETENTION_DATA_EXPORT_DAYS",
        _data_exports,
    ),
    RetentionRule(
        "task_results",
        "Records of finished background jobs: deleted after this many days",
        "RETENTION_TASK_RESULT_DAYS",
        _task_results,
    ),
)


def _uses_database_sessions() -> bool:
    return settings.SESSION_ENGINE in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }


def _expired_sessions(*, now: datetime, dry_run: bool) -> int:
    """Sessions past their expiry, cleared as ``manage clearsessions`` does."""
    count = Session.objects.filter(expire_date__lt=now).count() if _uses_database_sessions() else 0
    if not dry_run:
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return count


def _orphaned_user_sessions(*, dry_run: bool) -> int:
    """allauth's record of a session (address, browser) whose session is gone."""
    if not _uses_database_sessions():
        return 0
    rows = UserSession.objects.exclude(session_key__in=Session.objects.values("session_key"))
    return rows.count() if dry_run else _delete(rows)


def _closed_conversation_keys(*, dry_run: bool) -> int:
    """Member keys left on participants of closed conversations (closing clears them)."""
    rows = Participant.objects.filter(
        conversation__state=ConversationState.CLOSED, member_key__isnull=False
    )
    if dry_run:
        return rows.count()
    cleared: int = rows.update(member_key=None)
    return cleared


def _delete(rows: Rows) -> int:
    # Only the rows of the rule's own model: cascades (an account's data) are not counted.
    label = rows.model._meta.label
    deleted: int = rows.delete()[1].get(label, 0)
    return deleted


def privacy_retention_run(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete everything past its retention period; return the count per kind.

    With ``dry_run`` nothing changes and the counts say what would go.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in RULES:
        rows = rule.past_period(now)
        with transaction.atomic():
            counts[rule.kind] = rows.count() if dry_run else _delete(rows)
    with transaction.atomic():
        counts["expired_sessions"] = _expired_sessions(now=now, dry_run=dry_run)
        counts["orphaned_session_records"] = _orphaned_user_sessions(dry_run=dry_run)
    with transaction.atomic():
        counts["closed_conversation_keys"] = _closed_conversation_keys(dry_run=dry_run)
    logger.info(
        "retention %s: %s",
        "dry run" if dry_run else "run",
        ", ".join(f"{kind}={count}" for kind, count in counts.items()),
    )
    if not dry_run and any(counts.values()):
        audit_record(
            actor=None,
            action="privacy.retention_run",
            target_type="retention",
            target_id=now.date().isoformat(),
            details={kind: count for kind, count in counts.items() if count},
        )
    return counts
