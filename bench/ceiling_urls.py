"""The benchmarks' ceilings: the product's URLs plus one authenticated API write (the pledge
surge's) and one session-authenticated form POST (the vote benchmark's, at the end).

``POST /bench/api/ceiling`` does what any authenticated API write does, and no more: the same
token authentication as the pledge route (``PersonalToken(write=True)``), the same JSON body
parsed into a schema, and one row inserted; served by the same server. The pledge surge's
figure is the pledge's rate as a share of this one's. Selected by the bench's own settings
(bench/ceiling_settings.py); the table is made by the bench, not by a migration.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST
from ninja import NinjaAPI, Schema, Status

from rankandfile.accounts.api_auth import PersonalToken, api_member
from rankandfile.campaigns.selectors import campaign_counter
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


@require_POST
@login_required
def ceiling_form(request: HttpRequest) -> HttpResponse:
    """The vote benchmark's ceiling: a session-authenticated form POST (CSRF checked by the same
    middleware as every page) that inserts one row and redirects, as a vote does."""
    CeilingRow.objects.create(member_id=request.user.pk, options=sorted(request.POST.keys()))
    return HttpResponseRedirect("/bench/ceiling-form/done/")


def counter_uncached(request: HttpRequest, slug: str) -> HttpResponse:
    """The public counter with its one-second copy turned off: the database read itself on
    every request (the same selector and JSON as /campaigns/<slug>/counter.json)."""
    payload = campaign_counter(slug=slug)
    if payload is None:
        raise Http404("No such campaign")
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder).encode(), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=5"
    return response


urlpatterns = [
    *product_urlpatterns,
    path("bench/api/", api.urls),
    path("bench/ceiling-form/", ceiling_form),
    path("bench/counter-uncached/<slug:slug>.json", counter_uncached),
]
