from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.ballots import selectors as ballot_selectors
from rankandfile.campaigns import selectors as campaign_selectors
from rankandfile.campaigns.selectors import campaigns_public, vouched_member_ids
from rankandfile.groups import selectors as group_selectors
from rankandfile.groups.forms import InvitationForm
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.groups.selectors import groups_directory, groups_of_member
from rankandfile.lib.postcodes import postcode_area


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get the landing page; a member, what needs them now and their groups."""
    if isinstance(request.user, User):
        return _member_home(request, request.user)
    return render(
        request,
        "home.html",
        {
            "group_count": Group.objects.exclude(visibility=Visibility.HIDDEN).count(),
            "member_count": User.objects.filter(is_active=True).count(),
            "featured": groups_directory(viewer=request.user)[:6],
            "campaigns": campaigns_public()[:3],
        },
    )


def _member_home(request: HttpRequest, member: User) -> HttpResponse:
    """Every list is the member's own; a fixed number of queries, whatever is in them."""
    return render(
        request,
        "home_member.html",
        {
            "member": member,
            "ballots": list(ballot_selectors.ballots_awaiting_vote(member)),
            "pledges": list(campaign_selectors.pledges_in_open_campaigns(member)),
            "action_packs": campaign_selectors.action_packs_unconfirmed(member),
            "memberships": list(groups_of_member(member)),
            "groups_near": group_selectors.groups_near(member),
            "area": postcode_area(member.postcode_district),
            "campaign_rows": campaign_selectors.campaign_rows(
                list(campaign_selectors.campaigns_open_of_member_groups(member))
            ),
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
    return render(
        request,
        "groups/group_manage.html",
        {
            "group": group,
            "members": group_selectors.group_members_for_organiser(group),
            "requests": group_selectors.pending_requests_for_organiser(group),
            "invitation_form": InvitationForm(),
            "campaigns": group.campaigns.all(),
            "vouched": vouched_member_ids(group),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
