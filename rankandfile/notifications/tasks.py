"""Background jobs for the django-tasks-db worker; each calls one service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.notifications import imports, sending, services
from rankandfile.notifications.models import Frequency


@task()
def outbox_deliver() -> int:
    """Send everything due. Failures schedule one more run for their next attempt."""
    report = sending.messages_deliver_due()
    if report.retry_at:
        outbox_deliver.using(run_after=min(report.retry_at)).enqueue()
    return report.sent


@task()
def digests_send(frequency: str) -> int:
    return services.digests_send(frequency=Frequency(frequency))


@task()
def outbox_expire_addressed() -> int:
    return sending.messages_addressed_expire()


@task()
def member_imports_expire() -> int:
    return imports.member_imports_expire()
