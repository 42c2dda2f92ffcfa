"""The organisers' side of affiliation: the group's status, applying and leaving.

The coordinators' queue and decisions (which email the organisers) live above, in
``notifications.affiliation_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.groups import affiliations, selectors
from rankandfile.groups.forms import AffiliationApplyForm
from rankandfile.groups.models import AffiliationStatus
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only


@mfa_required
def affiliation(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's affiliation: its status, a decline's reason, and the form to apply (or the
    button to leave)."""
    organiser = request_member(request)
    group = selectors.group_get_for_organiser(slug=slug, organiser=organiser)
    latest = affiliations.affiliation_latest(group)
    form = AffiliationApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            affiliations.affiliation_apply(
                group=group, organiser=organiser, statement=form.cleaned_data["statement"]
            )
        except affiliations.AffiliationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "The application has been sent to the network's coordinators."
            )
        return redirect("groups:affiliation", slug=group.slug)
    open_statuses = (AffiliationStatus.PENDING, AffiliationStatus.APPROVED)
    return render(
        request,
        "groups/affiliation.html",
        {
            "group": group,
            "latest": latest,
            "may_apply": latest is None or latest.status not in open_statuses,
            "form": form,
        },
    )


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
