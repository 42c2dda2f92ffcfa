"""The organisers' side of affiliation: leaving the network.

The group's affiliation page with the form to apply (which emails the coordinators), and the
coordinators' queue and decisions (which email the organisers), live above, in
``notifications.affiliation_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.groups import affiliations, selectors
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only


@mfa_required
@post_only("groups:affiliation")
def affiliation_leave(request: HttpRequest, slug: str) -> HttpResponse:
    organiser = request_member(request)
    group = selectors.group_get_for_organiser(slug=slug, organiser=organiser)
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Take {group.name} out of the network?",
            consequences=[
                "The group stops being affiliated at once, and loses the network's badge on "
                "its page, in the directory and in the API.",
                "Its members and everything else of the group stay as they are.",
                "An organiser can apply to join again later; a network coordinator decides again.",
            ],
            action_url=reverse("groups:affiliation_leave", kwargs={"slug": group.slug}),
            confirm_label="Leave the network",
            cancel_url=reverse("groups:affiliation", kwargs={"slug": group.slug}),
            danger=True,
        )
    try:
        affiliations.affiliation_leave(group=group, organiser=organiser)
    except affiliations.AffiliationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{group.name} has left the network.")
    return redirect("groups:affiliation", slug=group.slug)
