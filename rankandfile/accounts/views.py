from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.decorators import request_member
from rankandfile.accounts.forms import ApiTokenForm, ProfileForm
from rankandfile.accounts.selectors import (
    member_api_tokens,
    member_consent_history,
    member_current_consents,
    member_has_mfa,
)
from rankandfile.accounts.services import (
    api_token_create,
    api_token_revoke,
    member_profile_update,
)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            member_profile_update(member=member, **form.cleaned_data)
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "display_name": member.display_name,
                "postcode_district": member.postcode_district,
                "interests": member.interests.all(),
                "skills": member.skills.all(),
            }
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "has_mfa": member_has_mfa(member),
            "api_tokens": member_api_tokens(member),
            "api_token_form": ApiTokenForm(auto_id="token-%s"),
        },
    )


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest) -> HttpResponse:
    if api_token_revoke(
        member=request_member(request), token_id=int(request.POST.get("revoke") or 0)
    ):
        messages.success(request, "The API token has been revoked.")
    return redirect("accounts:profile")


@login_required
@require_POST
# allauth's: a code from the member's email, or their second factor (allauth is untyped)
@reauthentication_required  # type: ignore[untyped-decorator]
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    """Create a personal API token, shown once, on the next page."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the token a name and say what it may do.")
        return redirect("accounts:profile")
    try:
        api_token, token = api_token_create(member=request_member(request), **form.cleaned_data)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("accounts:profile")
    return render(
        request, "accounts/api_token_created.html", {"api_token": api_token, "token": token}
    )


@login_required
def consents(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    current = member_current_consents(member)
    rows = [
        {"purpose": purpose, "text": CONSENT_TEXTS[purpose], "current": current.get(purpose)}
        for purpose in ConsentPurpose
    ]
    return render(
        request,
        "accounts/consents.html",
        {"rows": rows, "history": member_consent_history(member)},
    )
