from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.decorators import request_member
from rankandfile.privacy.erasure import LastOrganiserError, account_erase, groups_needing_handover
from rankandfile.privacy.forms import AccountDeleteForm


@login_required
# allauth's: a code from the member's email, or their second factor (allauth is untyped)
@reauthentication_required  # type: ignore[untyped-decorator]
def account_delete(request: HttpRequest) -> HttpResponse:
    """The confirmation page of "Delete my account", and the erasure once confirmed."""
    member = request_member(request)
    form = AccountDeleteForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(
                member=member,
                delete_contributions=form.cleaned_data["contributions"] == "delete",
            )
        except LastOrganiserError as refused:
            error = str(refused)
        else:
            logout(request)
            return redirect("privacy:account_deleted")
    return render(
        request,
        "privacy/account_delete.html",
        {
            "form": form,
            "handover": groups_needing_handover(member),
            "error": error,
            "section": "accounts",
            "current": "delete",
        },
    )


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/account_deleted.html")
