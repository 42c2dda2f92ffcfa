"""Background jobs for proposals; each calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.proposals import balloting, slates


@task()
def proposals_resolve_due() -> int:
    """Lapse, send to a ballot and record results as they fall due. Safe to run twice."""
    return balloting.proposals_resolve_due()


@task()
def slates_resolve_due() -> int:
    """Send slates to a ballot when applications close and publish their results. Safe to run
    twice."""
    return slates.slates_resolve_due()
