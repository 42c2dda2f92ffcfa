"""Affiliation pages that send email: a group's affiliation page, where an organiser applies
(``services.affiliation_apply`` tells the network coordinators), and the coordinators' pages,
the queue of applications and the decision on each (approve, or decline with a reason), which
``services.affiliation_decide`` tells the group's organisers.

Outbox workflows, so these pages live here, above groups, like the invite form of a group's
page. Leaving the network sends nothing and stays in ``groups.affiliation_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from rankandfile.accounts.decorators import (
    mfa_required,
    network_coordinator_required,
    request_member,
)
from rankandfile.groups.affiliations import (
    AffiliationError,
    affiliation_latest,
    affiliation_may_decide,
    affiliation_queue,
    affiliations_decided_recently,
)
from rankandfile.groups.forms import AffiliationApplyForm, AffiliationDecisionForm
from rankandfile.groups.models import Affiliation, AffiliationStatus
from rankandfile.groups.selectors import group_get_for_organiser
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.notifications import services


@mfa_required
def affiliation(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's affiliation (groups:affiliation): its status, a decline's reason, and the
    form to apply (or the button to leave)."""
    organiser = request_member(request)
    group = group_get_for_organiser(slug=slug, organiser=organiser)
    latest = affiliation_latest(group)
    form = AffiliationApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_apply(
                group=group, organiser=organiser, statement=form.cleaned_data["statement"]
            )
        except AffiliationError as error:
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


@network_coordinator_required
def affiliation_queue_page(request: HttpRequest) -> HttpResponse:
    """Applications waiting, the oldest first, 50 a page; the latest decisions below."""
    return render(
        request,
        "notifications/affiliation_queue.html",
        {
            "page_obj": page_of(request, affiliation_queue()),
            "query_without_page": query_without_page(request),
            "decided": list(affiliations_decided_recently()),
        },
    )


@network_coordinator_required
def affiliation_decide(request: HttpRequest, affiliation_id: int) -> HttpResponse:
    """One application: the group, its statement and the decision form. A decline without a
    reason comes back with the form as it was sent and says what is missing; it answers 200,
    as a page that asks again (browsers log a 400 page as a console error)."""
    affiliation = get_object_or_404(
        Affiliation.objects.select_related("group", "decided_by"), pk=affiliation_id
    )
    form = AffiliationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.affiliation_decide(
                affiliation=affiliation,
                coordinator=request_member(request),
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except AffiliationError as error:
            messages.error(request, str(error))
            return redirect("coordinators:affiliation_decide", affiliation_id=affiliation.pk)
        name = affiliation.group.name
        messages.success(
            request,
            f"{name} is now affiliated to the network; its organisers are told by email."
            if decision.approved
            else f"The application of {name} was declined; its organisers are told why.",
        )
        return redirect("coordinators:affiliations")
    group = affiliation.group
    return render(
        request,
        "notifications/affiliation_decide.html",
        {
            "affiliation": affiliation,
            "group": group,
            "districts": list(group.districts.all()),
            "member_count": group.memberships.count(),
            "may_decide": affiliation_may_decide(
                affiliation=affiliation, coordinator=request_member(request)
            ),
            "form": form,
        },
    )
