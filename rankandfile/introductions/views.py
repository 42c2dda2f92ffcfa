"""The introduction pages: ask (a group, or people with a skill near a district), my
introductions (asked and received, with their answers), the contact a member shares, and the
organisers' list of requests to their group."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.accounts.selectors import member_has_consent
from rankandfile.accounts.services import ConsentRequiredError
from rankandfile.groups import views as groups_views
from rankandfile.groups.selectors import group_get_for_organiser, group_get_for_viewer
from rankandfile.introductions import selectors, services
from rankandfile.introductions.forms import AnswerForm, AskGroupForm, AskSkillForm, ContactForm
from rankandfile.introductions.models import Introduction
from rankandfile.lib.paging import page_of

RATE_ACTION = "introduction"
View = Callable[..., HttpResponse]


def _post_only(view: View) -> View:
    """An answer or a withdrawal acts on POST only; a GET (a reload, a pasted link) goes to
    the member's introductions page, where the buttons are."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return redirect("introductions:mine")
        return view(request, *args, **kwargs)

    return wrapper


def _consent_context(member: User) -> dict[str, object]:
    return {
        "has_consent": member_has_consent(member, ConsentPurpose.INTRODUCTIONS),
        "consent_summary": CONSENT_TEXTS[ConsentPurpose.INTRODUCTIONS].summary,
    }


@login_required
def introductions_mine(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return render(
        request,
        "introductions/mine.html",
        {
            "asked": selectors.introductions_asked(member),
            "received": selectors.introductions_received(member),
            "contact": selectors.contact_detail_of(member),
            "open_count": selectors.open_request_count(member),
            "open_most": services.OPEN_REQUESTS_MOST,
            **_consent_context(member),
        },
    )


@login_required
def introduction_contact(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    choice = selectors.member_contact_choice(member)
    initial = {"method": choice.method, "phone": choice.phone} if choice else {}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.introduction_contact_set(
            member=member, method=form.cleaned_data["method"], phone=form.cleaned_data["phone"]
        )
        messages.success(request, "Saved: accepted introductions show this contact detail.")
        return redirect("introductions:mine")
    return render(request, "introductions/contact.html", {"form": form, "email": member.email})


def _ask_refused(form: AskGroupForm | AskSkillForm, error: Exception) -> None:
    form.add_error(None, str(error))


@login_required
def introduction_ask_group(request: HttpRequest, slug: str) -> HttpResponse:
    member = request_member(request)
    group = group_get_for_viewer(slug=slug, viewer=member)
    form = AskGroupForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(request, action=RATE_ACTION, member=member):
            form.add_error(None, RATE_LIMITED)
        elif form.is_valid():
            try:
                services.introduction_ask_group(
                    asker=member, group=group, message=form.cleaned_data["message"]
                )
            except (services.IntroductionError, ConsentRequiredError) as error:
                _ask_refused(form, error)
            else:
                messages.success(
                    request,
                    f"Your request has gone to the organisers of {group.name}. You will see "
                    "their answer here.",
                )
                return redirect("introductions:mine")
    return render(
        request,
        "introductions/ask_group.html",
        {"form": form, "group": group, **_consent_context(member)},
    )


@login_required
def introduction_ask_skill(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    initial = {"district": member.postcode_district} if member.postcode_district else {}
    form = AskSkillForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if rate_limited(request, action=RATE_ACTION, member=member):
            form.add_error(None, RATE_LIMITED)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.introduction_ask_skill(
                    asker=member,
                    skill=data["skill"],
                    district=data["district"],
                    radius_km=data["radius_km"],
                    message=data["message"],
                )
            except (services.IntroductionError, ConsentRequiredError) as error:
                _ask_refused(form, error)
            else:
                messages.success(
                    request,
                    "Your request has gone to members who offer this skill nearby and agreed "
                    "to introductions. You will see here when one of them accepts.",
                )
                return redirect("introductions:mine")
    return render(
        request, "introductions/ask_skill.html", {"form": form, **_consent_context(member)}
    )


def _back(introduction: Introduction, back: str) -> HttpResponse:
    if back == "group" and introduction.group is not None:
        return redirect("introductions:group", slug=introduction.group.slug)
    return redirect("introductions:mine")


@login_required
@_post_only
def introduction_answer(request: HttpRequest, introduction_id: int) -> HttpResponse:
    member = request_member(request)
    introduction = selectors.introduction_get_for_party(
        introduction_id=introduction_id, member=member
    )
    form = AnswerForm(request.POST)
    if rate_limited(request, action=RATE_ACTION, member=member):
        messages.error(request, RATE_LIMITED)
    elif not form.is_valid():
        messages.error(request, AnswerForm.not_understood)
    else:
        accept = form.cleaned_data["answer"] == "accept"
        try:
            if accept:
                services.introduction_accept(introduction=introduction, member=member)
            else:
                services.introduction_decline(introduction=introduction, member=member)
        except (services.IntroductionError, ConsentRequiredError) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Accepted: you can now see each other's contact details."
                if accept
                else "Declined. The member who asked is not told who declined.",
            )
        return _back(introduction, form.cleaned_data.get("back", ""))
    return redirect("introductions:mine")


@login_required
@_post_only
def introduction_withdraw(request: HttpRequest, introduction_id: int) -> HttpResponse:
    member = request_member(request)
    introduction = selectors.introduction_get_for_party(
        introduction_id=introduction_id, member=member
    )
    if rate_limited(request, action=RATE_ACTION, member=member):
        messages.error(request, RATE_LIMITED)
    else:
        try:
            services.introduction_withdraw(introduction=introduction, member=member)
        except services.IntroductionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Withdrawn: neither side sees the contact details now.")
    return _back(introduction, request.POST.get("back", ""))


@mfa_required
def introductions_to_group(request: HttpRequest, slug: str) -> HttpResponse:
    member = request_member(request)
    group = group_get_for_organiser(slug=slug, organiser=member)
    page = page_of(request, selectors.introductions_to_group(group, organiser=member))
    rows = selectors.introduction_rows_for_organiser(list(page.object_list), organiser=member)
    return render(
        request,
        "introductions/group.html",
        {"group": group, "page": page, "rows": rows, **_consent_context(member)},
    )


def consent_change(request: HttpRequest) -> HttpResponse:
    """The consents page's give-or-withdraw action (``groups``), and then, if the member no
    longer consents to introductions, their introductions close."""
    response = groups_views.consent_change(request)
    if request.method == "POST" and isinstance(request.user, User):
        services.introductions_close_without_consent(member=request_member(request))
    return response
