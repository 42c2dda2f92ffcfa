"""Background jobs for proposals; each calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.proposals import balloting


@task()
def proposals_resolve_due() -> int:
    """Lapse, send to a ballot and record results as they fall due. Safe to run twice."""
    return balloting.proposals_resolve_due()
