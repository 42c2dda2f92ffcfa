"""Background jobs for gatherings; each calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.events import services


@task()
def events_remind_due() -> int:
    """Reminders a day and an hour before events, each once per member. Safe to run twice."""
    return services.events_remind_due()
