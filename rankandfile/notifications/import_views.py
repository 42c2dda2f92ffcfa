"""The organiser's pages for importing people from a CSV file as invitations (``imports``).

Under the group's manage pages (``groups:import`` and ``groups:import_preview``); they send
email, so they live here, above groups.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.groups.selectors import group_get_for_organiser
from rankandfile.notifications import imports
from rankandfile.notifications.forms import MemberImportMappingForm, MemberImportUploadForm
from rankandfile.notifications.models import MemberImport

PREVIEW_ROWS = 5


@mfa_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    organiser = request_member(request)
    group = group_get_for_organiser(slug=slug, organiser=organiser)
    form = MemberImportUploadForm()
    if request.method == "POST":
        form = MemberImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > imports.MAX_UPLOAD_BYTES:
                form.add_error("file", "The file is larger than 5 MB; split it.")
            else:
                try:
                    member_import = imports.member_import_upload(
                        group=group, organiser=organiser, data=upload.read()
                    )
                except imports.MemberImportError as error:
                    form.add_error("file", str(error))
                else:
                    return redirect(
                        "groups:import_preview", slug=group.slug, import_id=member_import.pk
                    )
    return render(
        request,
        "notifications/import_upload.html",
        {"group": group, "form": form, "max_rows": imports.MAX_ROWS},
        status=400 if form.errors else 200,
    )


@mfa_required
def import_preview(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    organiser = request_member(request)
    group = group_get_for_organiser(slug=slug, organiser=organiser)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, group_slug=group.slug, import_id=import_id)
    member_import = MemberImport.objects.filter(
        pk=import_id, group=group, organiser=organiser
    ).first()
    if member_import is None:
        raise Http404("No such import")
    initial = {name: str(index) for name, index in member_import.mapping.items()}
    form = MemberImportMappingForm(initial=initial, header=member_import.header)
    if request.method == "POST":
        form = MemberImportMappingForm(request.POST, header=member_import.header)
        if form.is_valid():
            imports.member_import_map(member_import=member_import, mapping=form.mapping())
            messages.success(request, "The columns are mapped; check the rows below.")
            return redirect("groups:import_preview", slug=group.slug, import_id=member_import.pk)
    mapped = "email" in member_import.mapping
    report = imports.member_import_report(member_import) if mapped else None
    return render(
        request,
        "notifications/import_preview.html",
        {
            "group": group,
            "member_import": member_import,
            "form": form,
            "report": report,
            "sample": report.valid[:PREVIEW_ROWS] if report else [],
        },
        status=400 if form.errors else 200,
    )


def _confirm(request: HttpRequest, *, group_slug: str, import_id: int) -> HttpResponse:
    organiser = request_member(request)
    group = group_get_for_organiser(slug=group_slug, organiser=organiser)
    try:
        invited = imports.member_import_confirm(
            import_id=import_id, group=group, organiser=organiser
        )
    except imports.MemberImportError as error:
        messages.error(request, str(error))
        if MemberImport.objects.filter(pk=import_id, group=group, organiser=organiser).exists():
            return redirect("groups:import_preview", slug=group.slug, import_id=import_id)
        return redirect("groups:manage", slug=group.slug)
    messages.success(
        request, f"{invited} invitation{'s' if invited != 1 else ''} will be sent by email."
    )
    return redirect("groups:manage", slug=group.slug)
