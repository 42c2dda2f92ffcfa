from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from rankandfile.accounts.consents import CONSENT_TEXTS, ConsentPurpose
from rankandfile.accounts.decorators import request_member
from rankandfile.accounts.forms import ApiTokenForm, ConsentChangeForm, ProfileForm
from rankandfile.accounts.selectors import (
    member_api_token,
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
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only


def _profile_page(
    request: HttpRequest,
    *,
    form: ProfileForm | None = None,
    api_token_form: ApiTokenForm | None = None,
) -> HttpResponse:
    """The profile page; a form given bound comes back with its values and errors."""
    member = request_member(request)
    if form is None:
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
            "api_token_form": api_token_form or ApiTokenForm(auto_id="token-%s"),
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            member_profile_update(member=request_member(request), **form.cleaned_data)
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
        return _profile_page(request, form=form)
    return _profile_page(request)


@login_required
@post_only("accounts:profile")
def api_token_revoke_view(request: HttpRequest) -> HttpResponse:
    """Revoking asks first, on a page of its own: a program that uses the token stops."""
    member = request_member(request)
    raw = request.POST.get("revoke", "")
    api_token = member_api_token(member, int(raw)) if raw.isdigit() else None
    if api_token is None:
        messages.error(request, "That API token no longer exists; nothing was changed.")
        return redirect("accounts:profile")
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Revoke the API token “{api_token.name}”?",
            consequences=[
                "Any program that uses this token stops working at once.",
                "This cannot be undone: a program that needs the API again needs a new token.",
            ],
            action_url=reverse("accounts:api_token_revoke"),
            confirm_label="Revoke the token",
            cancel_url=reverse("accounts:profile"),
            hidden={"revoke": api_token.pk},
            danger=True,
        )
    api_token_revoke(member=member, token_id=api_token.pk)
    messages.success(request, f"The API token “{api_token.name}” has been revoked.")
    return redirect("accounts:profile")


@login_required
@post_only("accounts:profile")
# allauth's: a code from the member's email, or their second factor (allauth is untyped)
@reauthentication_required  # type: ignore[untyped-decorator]
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    """Create a personal API token, shown once, on the next page."""
    form = ApiTokenForm(request.POST, auto_id="token-%s")
    if not form.is_valid():
        return _profile_page(request, api_token_form=form)
    try:
        api_token, token = api_token_create(member=request_member(request), **form.cleaned_data)
    except ValueError as error:
        form.add_error(None, str(error))
        return _profile_page(request, api_token_form=form)
    return render(
        request, "accounts/api_token_created.html", {"api_token": api_token, "token": token}
    )


def consents_page(request: HttpRequest, *, form: ConsentChangeForm | None = None) -> HttpResponse:
    """The consents page; ``form`` is a change that was not understood, with its errors."""
    member = request_member(request)
    current = member_current_consents(member)
    rows = [
        {"purpose": purpose, "text": CONSENT_TEXTS[purpose], "current": current.get(purpose)}
        for purpose in ConsentPurpose
    ]
    return render(
        request,
        "accounts/consents.html",
        {"rows": rows, "history": member_consent_history(member), "form": form},
    )


@login_required
def consents(request: HttpRequest) -> HttpResponse:
    return consents_page(request)
