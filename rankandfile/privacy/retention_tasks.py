"""The daily retention job; it calls the service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.privacy import retention


@task()
def privacy_retention_run() -> dict[str, int]:
    """Delete personal data past its retention period; return the count per kind."""
    return retention.privacy_retention_run()
