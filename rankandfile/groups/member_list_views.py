"""The group's member list: members who chose to be listed, shown to the group's members only.

A member chooses per group (``Membership.listed``, off by default); leaving the group or
withdrawing consent to membership ends the membership and the listing with it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.decorators import request_member
from rankandfile.groups import selectors, services
from rankandfile.groups.forms import ListingForm
from rankandfile.groups.models import Group, Membership
from rankandfile.lib.http import post_only


def _membership_for_member_list(request: HttpRequest, slug: str) -> tuple[Group, Membership]:
    """The group and the viewer's membership. A hidden group does not exist for anyone else
    (404); the member list of a group others may see is refused to them (403)."""
    member = request_member(request)
    group = selectors.group_get_for_viewer(slug=slug, viewer=member)
    membership = selectors.membership_of(group=group, member=member)
    if membership is None:
        raise PermissionDenied("Only members of this group see its member list.")
    return group, membership


@login_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    group, membership = _membership_for_member_list(request, slug)
    return render(
        request,
        "groups/member_list.html",
        {
            "group": group,
            "membership": membership,
            "listed": list(selectors.members_listed(group)),
        },
    )


@login_required
@post_only("groups:members")
def member_listing(request: HttpRequest, slug: str) -> HttpResponse:
    """The member's choice to be on the list, from the list page or the group page."""
    group, _ = _membership_for_member_list(request, slug)
    form = ListingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That choice was not understood; nothing was changed.")
        return redirect("groups:members", slug=group.slug)
    listed = form.cleaned_data["listed"]
    services.membership_listing_set(group=group, member=request_member(request), listed=listed)
    if listed:
        messages.success(
            request,
            f"You are on the member list of {group.name}: its members see your display name, "
            "skills and interests.",
        )
    else:
        messages.success(request, f"You are no longer on the member list of {group.name}.")
    if request.POST.get("from") == "group":
        return redirect(group)
    return redirect("groups:members", slug=group.slug)
