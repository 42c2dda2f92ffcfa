"""Background jobs for campaigns; each loads by id and calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.campaigns.services import figures_release_due, stages_resolve_due


@task()
def campaigns_resolve_due() -> int:
    """Resolve passed deadlines and counted verdicts. Safe to run twice or concurrently."""
    return stages_resolve_due()


@task()
def campaigns_release_figures() -> int:
    """Release the published breakdowns that are due. Safe to run twice or concurrently."""
    return figures_release_due()
