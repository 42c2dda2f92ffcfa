"""The clock: which background jobs are due at a given moment.

The worker (`rankandfile manage db_worker`) runs jobs; the clock (`rankandfile manage clock`)
only enqueues them, every minute. Every job is idempotent (deadlines are resolved once, messages
and digests are keyed), so a clock that runs twice, or restarts, does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.tasks import Task

from rankandfile.ballots.tasks import (
    ballots_close_due,
    ballots_open_due,
    ballots_remind_due,
    nominations_close_due,
)
from rankandfile.campaigns.tasks import campaigns_release_figures, campaigns_resolve_due
from rankandfile.events.tasks import events_remind_due
from rankandfile.notifications.tasks import (
    digests_send,
    member_imports_expire,
    outbox_deliver,
    outbox_expire_addressed,
)
from rankandfile.opinions.tasks import conversations_close_due
from rankandfile.privacy.retention_tasks import privacy_retention_run
from rankandfile.proposals.tasks import proposals_resolve_due, slates_resolve_due

LONDON = ZoneInfo("Europe/London")
DIGEST_HOUR = 7
# Retention runs daily at 03:30 London time, when the site is quiet.
RETENTION_HOUR, RETENTION_MINUTE = 3, 30


@dataclass(frozen=True)
class Job:
    task: Task[..., int] | Task[..., dict[str, int]]
    args: tuple[str, ...] = ()


def jobs_due(now: datetime) -> list[Job]:
    """Every minute: ballots to open, remind and close, deadlines to resolve, conversations to
    close, nominations to close, proposals to lapse, send to a ballot or decide, slates to send
    to a ballot or publish, event reminders (a day and an hour before), mail to send.

    Every ten minutes (at 3, 13, ... past): the campaigns' published breakdowns that are due a
    release (each stage's own timetable decides; see campaigns.services.figures_release_due).

    Every hour (at five past): account email and invitations whose links have expired
    undelivered are cleared. At 03:30 London time: personal data past its retention period is
    deleted (privacy.retention). At 07:00 London time: the daily digests, and on Mondays the weekly
    ones.
    """
    jobs = [
        Job(ballots_open_due),
        Job(ballots_remind_due),
        Job(ballots_close_due),
        Job(nominations_close_due),
        Job(campaigns_resolve_due),
        Job(conversations_close_due),
        Job(proposals_resolve_due),
        Job(slates_resolve_due),
        Job(events_remind_due),
        Job(outbox_deliver),
    ]
    local = now.astimezone(LONDON)
    if local.minute % 10 == 3:
        jobs.append(Job(campaigns_release_figures))
    if local.minute == 5:
        jobs.append(Job(outbox_expire_addressed))
        jobs.append(Job(member_imports_expire))
    if local.hour == RETENTION_HOUR and local.minute == RETENTION_MINUTE:
        jobs.append(Job(privacy_retention_run))
    if local.hour == DIGEST_HOUR and local.minute == 0:
        jobs.append(Job(digests_send, ("daily",)))
        if local.weekday() == 0:
            jobs.append(Job(digests_send, ("weekly",)))
    return jobs
