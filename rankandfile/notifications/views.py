from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.groups.forms import InvitationForm
from rankandfile.groups.models import Membership
from rankandfile.groups.selectors import group_get_for_organiser
from rankandfile.lib.http import post_only
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.notifications import selectors, services
from rankandfile.notifications.forms import OutboxFilterForm, PreferenceForm
from rankandfile.notifications.models import Frequency


# RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" with no
# cookie and no CSRF token. The signed token in the URL is the only credential, and all it can
# do is withdraw campaign-email consent, so CSRF protection is not needed here.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    member = selectors.member_for_unsubscribe_token(token)
    if member is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.campaign_email_unsubscribe(member=member)
        return render(request, "notifications/unsubscribed.html")
    return render(
        request,
        "notifications/unsubscribe_confirm.html",
        {"subscribed": member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL)},
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    form: PreferenceForm | None = None
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        membership = None
        if form.is_valid():
            membership = (
                Membership.objects.filter(member=member, group_id=form.cleaned_data["group"])
                .select_related("group")
                .first()
            )
            if membership is None:  # not (or no longer) one of the member's groups
                form.add_error(None, form.not_understood)
        if membership is not None:
            frequency = Frequency(form.cleaned_data["frequency"])
            services.preference_set(member=member, group=membership.group, frequency=frequency)
            messages.success(
                request, f"{membership.group.name}: {frequency.label.lower()} from now on."
            )
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "rows": selectors.preferences_for_member(member),
            "choices": Frequency.choices,
            "campaign_consent": member_has_consent(member, ConsentPurpose.CAMPAIGN_EMAIL),
            "kinds": selectors.message_kinds_for_member(member),
        },
    )


@login_required
@post_only("notifications:preferences")
def message_kinds(request: HttpRequest) -> HttpResponse:
    """The member's choice of the service messages they may turn off: each ticked box on."""
    services.message_kinds_choose(
        member=request_member(request), wanted=request.POST.getlist("kind")
    )
    messages.success(request, "Your choice of messages about proposals is saved.")
    return redirect("notifications:preferences")


def _outbox_status(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    filters = form.filters()
    page = page_of(request, selectors.outbox_messages(filters))
    return render(
        request,
        "notifications/outbox_status.html",
        {
            "form": form,
            "filtered": filters != selectors.OutboxFilters(),
            "counts": selectors.outbox_counts(),
            "overdue": selectors.outbox_overdue_count(),
            "page_obj": page,
            "query_without_page": query_without_page(request),
        },
    )


# Staff only, and through the admin site's own check, which also demands MFA.
outbox_status = admin.site.admin_view(_outbox_status)


# The invite form of a group's manage page (groups:invite): sending the invitation is an
# outbox workflow, so its page lives here, above groups.
@mfa_required
@post_only("groups:manage")
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get_for_organiser(slug=slug, organiser=request_member(request))
    form = InvitationForm(request.POST)
    if form.is_valid():
        services.invitation_create(
            group=group, organiser=request_member(request), email=form.cleaned_data["email"]
        )
        messages.success(request, "The invitation has been sent.")
    else:
        messages.error(request, "Enter a valid email address; no invitation was sent.")
    return redirect("groups:manage", slug=group.slug)
