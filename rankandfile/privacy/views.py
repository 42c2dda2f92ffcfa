from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.decorators import request_member
from rankandfile.privacy.erasure import LastOrganiserError, account_erase, groups_needing_handover
from rankandfile.privacy.export import (
    LINK_LIFETIME,
    ExportAlreadyOpenError,
    ExportLinkGoneError,
    data_export_find,
    data_export_open,
    data_export_request,
    data_export_take,
    data_export_usable,
)
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


@login_required
@reauthentication_required  # type: ignore[untyped-decorator]
def data_download(request: HttpRequest) -> HttpResponse:
    """ "Download my data": ask for it, and see whether a download is on its way."""
    member = request_member(request)
    error = ""
    if request.method == "POST":
        try:
            data_export_request(member=member)
        except ExportAlreadyOpenError as refused:
            error = str(refused)
        else:
            return redirect("privacy:data_download")
    return render(
        request,
        "privacy/data_download.html",
        {
            "open_export": data_export_open(member),
            "hours": int(LINK_LIFETIME.total_seconds() // 3600),
            "error": error,
            "section": "accounts",
            "current": "download",
        },
        status=409 if error else 200,
    )


def _link_gone(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/export_gone.html", {"section": "accounts"}, status=410)


@login_required
@reauthentication_required  # type: ignore[untyped-decorator]
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: the member's own download, once, within its time. A page first (GET),
    so that a mail client opening the link does not use it up; the file on POST."""
    export = data_export_find(member=request_member(request), token=token)
    if export is None:
        raise Http404("No download of yours has this link.")
    if not data_export_usable(export):
        return _link_gone(request)
    if request.method != "POST":
        return render(
            request,
            "privacy/export_download.html",
            {"export": export, "section": "accounts", "current": "download"},
        )
    try:
        document = data_export_take(export=export)
    except ExportLinkGoneError:
        return _link_gone(request)
    response = HttpResponse(document.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
