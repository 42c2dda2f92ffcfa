"""Network coordinators' pages: the queue of groups' applications to join the network, and the
decision on each (approve, or decline with a reason).

Deciding tells the group's organisers by email (``services.affiliation_decide``), an outbox
workflow, so these pages live here, above groups, like the invite form of a group's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from rankandfile.accounts.decorators import network_coordinator_required, request_member
from rankandfile.groups.affiliations import (
    AffiliationError,
    affiliation_queue,
    affiliations_decided_recently,
)
from rankandfile.groups.forms import AffiliationDecisionForm
from rankandfile.groups.models import Affiliation
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.notifications import services


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
            "form": form,
        },
    )
