"""Pages of agreed slates: a group's slates, opening one, the slate page (applicants and their
statements, applying, withdrawing, agreeing, the ballot, the recommended order), and the public
page and embed of a published slate.

Until it is published a slate is for the members of its groups (a 404 for anyone else); every
write goes through ``slates``, whose refusals come back to the member as a message. Only the
embed may be framed by other sites (it sets its own frame-ancestors, as the campaigns' embed).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.campaigns.views import EMBED_CSP
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import member_is_organiser
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only
from rankandfile.lib.paging import page_of
from rankandfile.proposals import slate_selectors as selectors
from rankandfile.proposals import slates
from rankandfile.proposals.forms import MARKDOWN_HELP
from rankandfile.proposals.models import Slate, SlateState
from rankandfile.proposals.selectors import member_of_group

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class SlateForm(forms.Form):
    title = forms.CharField(max_length=150, help_text="For example: “Left slate for the NEC”.")
    election = forms.CharField(
        max_length=200,
        label="The election it is for",
        help_text="For example: “the party's national executive, 2027”.",
    )
    places = forms.IntegerField(
        min_value=1, max_value=slates.PLACES_MOST, label="Places on the slate"
    )
    applications_close_at = forms.DateTimeField(
        label="Applications close",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    ballot_days = forms.IntegerField(
        min_value=1, max_value=slates.BALLOT_DAYS_MOST, initial=7, label="Days voting stays open"
    )
    other_groups = forms.CharField(
        required=False,
        max_length=2000,
        label="Other groups holding the slate with yours (optional)",
        help_text="Their addresses, such as north-branch, separated by spaces or commas. "
        "Each group's organisers are asked to agree; applications open once they all have.",
    )


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=slates.STATEMENT_LONGEST * 2,
        label="Your statement",
        help_text=f"At most {slates.STATEMENT_WORDS} words. {MARKDOWN_HELP}",
    )


def _group_for_member(request: HttpRequest, group_slug: str) -> Group:
    group = get_object_or_404(Group, slug=group_slug)
    if not member_of_group(member=request.user, group_id=group.pk):
        raise Http404("No such group")
    return group


@login_required
def slate_list(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = _group_for_member(request, group_slug)
    member = request_member(request)
    return render(
        request,
        "proposals/slate_list.html",
        {
            "group": group,
            "page_obj": page_of(request, selectors.slates_of_group(group)),
            "may_organise": member_is_organiser(member, group),
        },
    )


@mfa_required
def slate_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = _group_for_member(request, group_slug)
    member = request_member(request)
    if not member_is_organiser(member, group):
        raise Http404("No such group")
    form = SlateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slugs = [s for s in re.split(r"[\s,]+", data["other_groups"]) if s]
        others = list(Group.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {g.slug for g in others})
        if missing:
            form.add_error("other_groups", f"There is no group at: {', '.join(missing)}.")
        else:
            try:
                slate = slates.slate_create(
                    organiser=member,
                    group=group,
                    title=data["title"],
                    election=data["election"],
                    places=data["places"],
                    applications_close_at=data["applications_close_at"],
                    ballot_days=data["ballot_days"],
                    other_groups=others,
                )
            except slates.SlateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The slate is open.")
                return redirect(slate)
    return render(
        request,
        "proposals/slate_form.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def slate_detail(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=request.user)
    member = request_member(request)
    now = timezone.now()
    return render(
        request,
        "proposals/slate_detail.html",
        {
            "slate": slate,
            "slate_groups": selectors.slate_groups(slate),
            "applicants": selectors.applicants(slate),
            "recommended": selectors.recommended_order(slate),
            "application": selectors.application_of(slate=slate, member=member),
            "may_apply": slate.state == SlateState.APPLICATIONS
            and now < slate.applications_close_at
            and slates.member_may_apply(member=member, slate=slate),
            "may_withdraw": slate.state in {SlateState.AGREEING, SlateState.APPLICATIONS},
            "groups_to_agree": selectors.groups_to_agree(slate=slate, member=member),
            "may_send": slate.state == SlateState.APPLICATIONS
            and now >= slate.applications_close_at
            and member_is_organiser(member, slate.group),
        },
    )


@login_required
def slate_apply(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=request.user)
    member = request_member(request)
    application = selectors.application_of(slate=slate, member=member)
    initial = {"statement": application.statement} if application else None
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            slates.slate_apply(slate=slate, member=member, statement=form.cleaned_data["statement"])
        except slates.SlateError as error:
            form.add_error("statement", str(error))
        else:
            messages.success(request, "You have asked to be on the slate.")
            return redirect(slate)
    return render(
        request,
        "proposals/slate_apply.html",
        {"slate": slate, "form": form, "application": application},
        status=400 if form.errors else 200,
    )


@login_required
@post_only("slates:detail")
def slate_withdraw(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=request.user)
    if not confirmed(request):
        return confirm_page(
            request,
            title="Withdraw your application?",
            consequences=[
                "You will not be on the ballot for this slate.",
                "You can apply again while applications are open.",
            ],
            action_url=reverse("slates:withdraw", kwargs={"slate_id": slate.pk}),
            confirm_label="Withdraw my application",
            cancel_url=slate.get_absolute_url(),
            danger=True,
        )
    try:
        slates.slate_withdraw(slate=slate, member=request_member(request))
    except slates.SlateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your application is withdrawn.")
    return redirect(slate)


@mfa_required
@post_only("slates:detail")
def slate_agree(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=request.user)
    group = Group.objects.filter(slug=request.POST.get("group", "")).first()
    try:
        if group is None:
            raise slates.SlateError("Choose the group that agrees.")
        slates.slate_agree(organiser=request_member(request), slate=slate, group=group)
    except slates.SlateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{group.name} holds the slate with the others.")
    return redirect(slate)


@mfa_required
@post_only("slates:detail")
def slate_send_to_ballot(request: HttpRequest, slate_id: int) -> HttpResponse:
    slate = selectors.slate_get_for_viewer(slate_id=slate_id, viewer=request.user)
    try:
        ballot = slates.slate_send_to_ballot(slate=slate, actor=request_member(request))
    except slates.SlateError as error:
        messages.error(request, str(error))
        return redirect(slate)
    if ballot is None:
        messages.info(request, "Fewer than two members applied: the slate lapsed.")
        return redirect(slate)
    messages.success(request, "Voting is open.")
    return redirect(ballot)


def _published_context(slate: Slate) -> dict[str, Any]:
    return {
        "slate": slate,
        "recommended": selectors.recommended_order(slate),
        "groups": selectors.slate_groups_public(slate),
    }


def slate_public(request: HttpRequest, slate_id: int) -> HttpResponse:
    """The published slate, for anyone: the recommended order and the applicants' statements."""
    slate = selectors.slate_get_published(slate_id=slate_id)
    return render(request, "proposals/slate_public.html", _published_context(slate))


@xframe_options_exempt
@csp_override(EMBED_CSP)
def slate_embed(request: HttpRequest, slate_id: int) -> HttpResponse:
    """The recommended slate in order, small, for other sites' iframes (no cookies, no forms,
    no script): the campaigns' embed's policy, which lets any site frame it."""
    slate = selectors.slate_get_published(slate_id=slate_id)
    return render(request, "proposals/slate_embed.html", _published_context(slate))
