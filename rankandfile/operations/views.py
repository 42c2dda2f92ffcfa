"""A benchmark's ceiling: the smallest useful write this server can do per request.

Mounted only when BENCH_CEILING_VIEW=1 (bench/pledge_surge.py sets it on its own server), so
that the pledge rate can be compared, in the same run and on the same server, with a view that
inserts one row into a table the benchmark creates.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def ceiling_insert(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ceiling (n) VALUES (1)")
    return HttpResponse(status=201)
