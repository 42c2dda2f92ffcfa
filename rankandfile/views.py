from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rankandfile.accounts.models import User
from rankandfile.campaigns.selectors import campaigns_public
from rankandfile.groups.models import Group, Visibility
from rankandfile.groups.selectors import groups_directory, groups_of_member


def home(request: HttpRequest) -> HttpResponse:
    my_memberships = groups_of_member(request.user) if isinstance(request.user, User) else None
    featured = groups_directory(viewer=request.user)[:6]
    return render(
        request,
        "home.html",
        {
            "group_count": Group.objects.exclude(visibility=Visibility.HIDDEN).count(),
            "member_count": User.objects.filter(is_active=True).count(),
            "featured": featured,
            "my_memberships": my_memberships,
            "campaigns": campaigns_public()[:3],
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
