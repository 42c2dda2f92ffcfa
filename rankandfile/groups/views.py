from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.forms import ConsentChangeForm
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import ConsentRequiredError, consent_give
from rankandfile.accounts.views import consents_page
from rankandfile.groups import exports, selectors, services
from rankandfile.groups.forms import (
    DirectoryFilterForm,
    GroupForm,
    JoinRequestDecisionForm,
    JoinRequestFilterForm,
    RoleForm,
)
from rankandfile.groups.models import Group, JoinRequest, Membership, Role, Visibility
from rankandfile.groups.network_map import groups_by_area
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only, redirect_back
from rankandfile.lib.paging import page_of, query_without_page


def group_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    search = selectors.directory_search(
        viewer=request.user, text=filters.pop("q", ""), page=request.GET.get("page"), **filters
    )
    context = {
        "form": form,
        "groups": search.groups,
        "search": search,
        "page_obj": search.page,
        "query_without_page": query_without_page(request),
    }
    if request.headers.get("HX-Request"):
        return render(request, "groups/group_list.html#results", context)
    return render(request, "groups/group_list.html", context)


def network_map(request: HttpRequest) -> HttpResponse:
    """The network on a map of postcode areas, each linked to its groups in the directory,
    with a table that says the same in text. Public: anonymous visitors count public and
    listed groups only, as the directory shows them."""
    return render(request, "groups/network_map.html", {"map": groups_by_area(viewer=request.user)})


@login_required
@post_only("groups:detail")
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.group_get_for_viewer(slug=slug, viewer=request.user)
    try:
        outcome = services.group_join(group=group, member=request_member(request))
    except (services.GroupActionError, ConsentRequiredError) as error:
        messages.error(request, str(error))
        return redirect(group)
    if outcome.membership is not None:
        messages.success(request, f"You have joined {group.name}.")
    else:
        messages.success(request, "Your request to join has been sent to the organisers.")
    return redirect(group)


@login_required
@post_only("groups:detail")
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Leaving asks first: a hidden group takes back only those it invites again."""
    group = selectors.group_get_for_viewer(slug=slug, viewer=request.user)
    if not confirmed(request):
        rejoin = (
            "To come back you will need a new invitation from its organisers."
            if group.visibility == Visibility.HIDDEN
            else "You can ask to join again later."
        )
        return confirm_page(
            request,
            title=f"Leave {group.name}?",
            consequences=[
                "You stop being a member at once and its organisers no longer see you.",
                rejoin,
            ],
            action_url=reverse("groups:leave", kwargs={"slug": group.slug}),
            confirm_label="Leave the group",
            cancel_url=group.get_absolute_url(),
            danger=True,
        )
    try:
        services.membership_leave(group=group, member=request_member(request))
    except services.GroupActionError as error:
        messages.error(request, str(error))
        return redirect(group)
    messages.success(request, f"You have left {group.name}.")
    if group.visibility == Visibility.HIDDEN:
        return redirect("groups:list")
    return redirect(group)


@mfa_required
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None, initial={"visibility": Visibility.PUBLIC})
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                creator=request_member(request),
                details=services.GroupDetails(**form.cleaned_data),
            )
        except ConsentRequiredError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{group.name} has been created. You are its organiser.")
            return redirect("groups:manage", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "group": None})


@mfa_required
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.group_get_for_organiser(slug=slug, organiser=request_member(request))
    initial = {
        "name": group.name,
        "kind": group.kind,
        "description": group.description,
        "visibility": group.visibility,
        "districts": ", ".join(group.districts.values_list("district", flat=True)),
        "issues": group.issues.all(),
    }
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.group_update(group=group, details=services.GroupDetails(**form.cleaned_data))
        messages.success(request, "The group has been saved.")
        return redirect("groups:manage", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@mfa_required
def join_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisers' table of requests to join, 50 a page, searched by name, each approved
    or declined."""
    group = selectors.group_get_for_organiser(slug=slug, organiser=request_member(request))
    form = JoinRequestFilterForm(request.GET or None)
    text = form.text_searched()
    page = page_of(request, selectors.pending_requests_for_organiser(group, text=text))
    return render(
        request,
        "groups/join_requests.html",
        {
            "group": group,
            "form": form,
            "filtered": bool(text),
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "back": request.GET.urlencode(),
        },
    )


@mfa_required
@post_only("groups:requests")
def join_request_decide(request: HttpRequest, slug: str) -> HttpResponse:
    organiser = request_member(request)
    group = selectors.group_get_for_organiser(slug=slug, organiser=organiser)
    form = JoinRequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That decision was not understood; nothing was changed.")
        return redirect_back(request, "groups:requests", slug=group.slug)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("member"),
        pk=form.cleaned_data["request_id"],
        group=group,
    )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.join_request_decide(
            join_request=join_request, organiser=organiser, approve=approve
        )
    except services.GroupActionError as error:
        messages.error(request, str(error))
    else:
        name = join_request.member.display_name
        messages.success(
            request,
            f"{name} is now a member." if approve else f"The request from {name} was declined.",
        )
    return redirect_back(request, "groups:requests", slug=group.slug)


@mfa_required
@post_only("groups:manage")
def membership_role(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.group_get_for_organiser(slug=slug, organiser=request_member(request))
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose member or organiser.")
        return redirect_back(request, "groups:manage", slug=group.slug)
    membership = get_object_or_404(
        Membership.objects.select_related("member"),
        group=group,
        member_id=form.cleaned_data["member_id"],
    )
    role = Role(form.cleaned_data["role"])
    try:
        services.membership_set_role(group=group, member=membership.member, role=role)
    except services.GroupActionError as error:
        messages.error(request, str(error))
    else:
        article = "an" if role == Role.ORGANISER else "a"
        name = membership.member.display_name
        messages.success(request, f"{name} is now {article} {role.label.lower()}.")
    return redirect_back(request, "groups:manage", slug=group.slug)


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.accepted_at is not None:
        return render(request, "groups/invitation_invalid.html", status=404)
    if not selectors.invitation_is_for(invitation=invitation, member=request_member(request)):
        # A forwarded or leaked link shows nothing of the group, a hidden one above all.
        return render(request, "groups/invitation_not_for_you.html", status=403)
    group: Group = invitation.group
    if request.method == "POST":
        try:
            services.invitation_accept(token=token, member=request_member(request))
        except (services.GroupActionError, ConsentRequiredError) as error:
            messages.error(request, str(error))
            return render(request, "groups/invitation_accept.html", {"group": group}, status=400)
        messages.success(request, f"You have joined {group.name}.")
        return redirect(group)
    return render(request, "groups/invitation_accept.html", {"group": group})


# The consent form of the member's consents page (accounts:consent_change): withdrawing consent
# to membership ends the member's groups, so its page lives here, above accounts.
@login_required
@post_only("accounts:consents")
def consent_change(request: HttpRequest) -> HttpResponse:
    """Give a consent at once; withdraw one after a page that says what stops (and, for
    membership, which groups the member leaves)."""
    member = request_member(request)
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        return consents_page(request, form=form)
    purpose = ConsentPurpose(form.cleaned_data["purpose"])
    summary = CONSENT_TEXTS[purpose].summary
    if form.cleaned_data["action"] == "give":
        consent_give(member=member, purpose=purpose)
        messages.success(request, f"Consent given: {summary}")
        return redirect("accounts:consents")
    if not member_has_consent(member, purpose):
        messages.info(request, f"You had not given this consent: {summary}")
        return redirect("accounts:consents")
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Withdraw your consent to {purpose.label.lower()}?",
            consequences=selectors.consent_withdrawal_consequences(member=member, purpose=purpose),
            action_url=reverse("accounts:consent_change"),
            confirm_label="Withdraw consent",
            cancel_url=reverse("accounts:consents"),
            hidden={"purpose": purpose.value, "action": "withdraw"},
            danger=True,
        )
    services.member_consent_withdraw(member=member, purpose=purpose)
    message = f"Consent withdrawn: {summary}"
    if purpose == ConsentPurpose.MEMBERSHIP:
        message += " Your group memberships have ended."
    messages.success(request, message)
    return redirect("accounts:consents")


@mfa_required
def member_export(request: HttpRequest, slug: str) -> HttpResponse:
    organiser = request_member(request)
    group = selectors.group_get_for_organiser(slug=slug, organiser=organiser)
    body = exports.member_list_export(group=group, organiser=organiser)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{group.slug}-members.csv"'
    return response
