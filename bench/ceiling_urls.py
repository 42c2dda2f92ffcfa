"""The pledge surge benchmark's ceiling: the product's URLs plus one authenticated API write.

``POST /bench/api/ceiling`` does what any authenticated API write does, and no more: the same
token authentication as the pledge route (``PersonalToken(write=True)``), the same JSON body
parsed into a schema, and one row inserted; served by the same server. The pledge surge's
figure is the pledge's rate as a share of this one's. Selected by the bench's own settings
(bench/ceiling_settings.py); the table is made by the bench, not by a migration.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Schema, Status

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.urls import urlpatterns as product_urlpatterns


class CeilingRow(models.Model):
    member_id = models.BigIntegerField()
    options = models.JSONField()

    class Meta:
        app_label = "bench_ceiling"
        db_table = "bench_ceiling"

    def __str__(self) -> str:
        return f"Ceiling row {self.pk}"


class CeilingIn(Schema):  # the pledge route's body
    options: list[str]
    amount_pence: int | None = None


class CeilingOut(Schema):
    id: int


api = NinjaAPI(title="Benchmark ceiling", version="1", urls_namespace="bench-ceiling")


@api.post("/ceiling", response={201: CeilingOut}, auth=PersonalToken(write=True))
def ceiling(request: HttpRequest, payload: CeilingIn) -> Status[object]:
    row = CeilingRow.objects.create(member_id=api_member(request).pk, options=payload.options)
    return Status(201, CeilingOut(id=row.pk))


urlpatterns = [*product_urlpatterns, path("bench/api/", api.urls)]
