"""The background job that builds a member's data download; it calls the service."""

from __future__ import annotations

from django.tasks import task

from rankandfile.privacy import export


@task()
def data_export_build_task(export_id: int) -> bool:
    return export.data_export_build(export_id=export_id)
