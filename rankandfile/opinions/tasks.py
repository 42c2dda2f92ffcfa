"""Background jobs for conversations; each loads by id and calls a service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.opinions import services


@task()
def opinion_map_recompute(conversation_id: int) -> int:
    """Recompute one conversation's map from all its votes. Safe to run twice."""
    return services.map_recompute(conversation_id=conversation_id).votes_count


@task()
def conversations_close_due() -> int:
    """Close the conversations whose closing time has passed. Safe to run twice."""
    return services.conversations_close_due()
