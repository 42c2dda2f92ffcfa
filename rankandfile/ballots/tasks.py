"""Background jobs: each loads what it needs and calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.ballots import nominations, services


@task()
def ballots_open_due() -> int:
    return services.ballots_open_due()


@task()
def ballots_close_due() -> int:
    return services.ballots_close_due()


@task()
def ballots_remind_due() -> int:
    return services.ballots_remind_due()


@task()
def nominations_close_due() -> int:
    return nominations.nominations_close_due()
