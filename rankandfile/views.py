from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.campaigns.selectors import campaigns_public, vouched_member_ids_query
from rankandfile.groups import selectors as group_selectors
from rankandfile.groups.forms import InvitationForm, MemberFilterForm
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.groups.selectors import groups_directory, groups_of_member
from rankandfile.lib.paging import page_of, query_without_page


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


# A group's page (groups:detail) and its organisers' page (groups:manage) show the group's
# campaigns and vouches, so they are put together here, above both apps, like the home page.
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_selectors.group_get_for_viewer(slug=slug, viewer=request.user)
    membership = pending = None
    is_organiser = False
    if isinstance(request.user, User):
        membership = group_selectors.membership_of(group=group, member=request.user)
        pending = group_selectors.pending_request_of(group=group, member=request.user)
        is_organiser = group_selectors.member_is_organiser(request.user, group)
    count = Membership.objects.filter(group=group).count()
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "membership": membership,
            "pending": pending,
            "is_organiser": is_organiser,
            "member_count": group_selectors.member_count_public(count),
            "campaigns": campaigns_public(group=group),
        },
    )


@mfa_required
def group_manage(request: HttpRequest, slug: str) -> HttpResponse:
    member = request_member(request)
    group = group_selectors.group_get_for_organiser(slug=slug, organiser=member)
    filter_form = MemberFilterForm(request.GET or None)
    filters = filter_form.filters()
    memberships = group_selectors.group_members_for_organiser(
        group, filters, vouched_member_ids=vouched_member_ids_query(group)
    )
    page = page_of(request, memberships)
    return render(
        request,
        "groups/group_manage.html",
        {
            "group": group,
            "filter_form": filter_form,
            "filtered": filters != group_selectors.MemberFilters(),
            "page_obj": page,
            "members": group_selectors.member_rows(page),
            "query_without_page": query_without_page(request),
            "back": request.GET.urlencode(),
            "request_count": group_selectors.pending_request_count(group),
            "invitation_form": InvitationForm(),
            "campaigns": group.campaigns.all(),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
