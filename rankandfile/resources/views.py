"""Pages of the resource hub: the hub with its search, contributing, a resource's page, helpful
marks, collections, the moderation queue, and file downloads through signed links.

The hub and public resources are open to anyone; everything else needs an account, and
moderation the second factor (``mfa_required``). Every write goes through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.lib.http import post_only
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.resources import selectors, services
from rankandfile.resources.files import file_link_read, file_link_token
from rankandfile.resources.forms import (
    CollectForm,
    HelpfulForm,
    ItemForm,
    ModerateForm,
    ResourceForm,
    SearchForm,
)
from rankandfile.resources.models import Resource, ResourceKind

PER_PAGE = 20

KIND_HELP = {
    ResourceKind.ARTICLE: "Write a piece for the hub: a how-to, a report, an explainer.",
    ResourceKind.LINK: "Share a page on another site.",
    ResourceKind.VIDEO: "Share a video on another site (shown as a link, never played here).",
    ResourceKind.FILE: "Upload a PDF, an image or an office document (a leaflet, a template).",
    ResourceKind.READING_LIST: "Gather resources into a list to read in order.",
    ResourceKind.TOOLKIT: "Gather the resources a campaign needs, step by step.",
}


def resource_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    resources = selectors.resources_search(
        viewer=request.user,
        text=filters.get("q", ""),
        kind=filters.get("kind", ""),
        issue=filters.get("issue", ""),
    )
    context = {
        "form": form,
        "page_obj": page_of(request, resources, per_page=PER_PAGE),
        "query_without_page": query_without_page(request),
        "searched": bool(filters.get("q") or filters.get("kind") or filters.get("issue")),
        "moderates": selectors.member_moderates_anything(request.user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "resources/resource_list.html#results", context)
    return render(request, "resources/resource_list.html", context)


@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    kinds = [
        (value, label, KIND_HELP[ResourceKind(value)]) for value, label in ResourceKind.choices
    ]
    return render(request, "resources/resource_kinds.html", {"kinds": kinds})


@login_required
def resource_new_kind(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ResourceKind.values:
        raise Http404("No such kind of resource")
    member = request_member(request)
    form = ResourceForm(request.POST or None, request.FILES or None, kind=kind, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                author=member, draft=form.draft(), upload=request.FILES.get("upload")
            )
        except services.ResourceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                "Thank you: your resource waits for a moderator. Until it is approved only "
                "you and the moderators can see it.",
            )
            return redirect(resource)
    return render(
        request,
        "resources/resource_form.html",
        {"form": form, "kind": ResourceKind(kind), "kind_help": KIND_HELP[ResourceKind(kind)]},
        status=400 if form.errors else 200,
    )


def _file_url(request: HttpRequest, resource: Resource) -> str:
    token = file_link_token(resource_id=resource.pk, viewer_id=request.user.pk)
    return reverse("resources:file", kwargs={"token": token})


def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=request.user)
    context: dict[str, Any] = {
        "resource": resource,
        "may_moderate": selectors.member_may_moderate(member=request.user, resource=resource),
        "is_author": request.user.is_authenticated and resource.author_id == request.user.pk,
        "marked_helpful": selectors.marked_helpful(resource=resource, member=request.user),
        "file_url": _file_url(request, resource) if resource.kind == ResourceKind.FILE else "",
        "items": (
            selectors.collection_items_for_viewer(collection=resource, viewer=request.user)
            if resource.is_collection
            else []
        ),
    }
    if request.user.is_authenticated:
        collect_form = CollectForm(member=request_member(request))
        collect_field = collect_form.fields["collection"]
        has_collections = collect_field.queryset.exclude(pk=resource.pk).exists()  # type: ignore[attr-defined]
        context["collect_form"] = collect_form if has_collections else None
    return render(request, "resources/resource_detail.html", context)


@login_required
@post_only("resources:detail")
def resource_helpful(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=request.user)
    form = HelpfulForm(request.POST)
    if not form.is_valid():
        messages.error(request, HelpfulForm.not_understood)
        return redirect(resource)
    helpful = form.cleaned_data["helpful"] == "yes"
    try:
        services.resource_mark_helpful(
            resource=resource, member=request_member(request), helpful=helpful
        )
    except services.ResourceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Marked as helpful: thank you." if helpful else "Your mark is taken back."
        )
    return redirect(resource)


@login_required
@post_only("resources:detail")
def resource_collect(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=request.user)
    member = request_member(request)
    form = CollectForm(request.POST, member=member)
    if not form.is_valid():
        messages.error(request, "Choose one of your reading lists or toolkits.")
        return redirect(resource)
    collection = form.cleaned_data["collection"]
    try:
        services.collection_item_add(collection=collection, resource=resource, member=member)
    except services.ResourceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Added to “{collection.title}”.")
    return redirect(resource)


@login_required
@post_only("resources:detail", resource_id="resource_id")
def collection_item(request: HttpRequest, resource_id: int, item_id: int) -> HttpResponse:
    collection = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=request.user)
    member = request_member(request)
    form = ItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, ItemForm.not_understood)
        return redirect(collection)
    action = form.cleaned_data["action"]
    try:
        if action == "remove":
            services.collection_item_remove(collection=collection, item_id=item_id, member=member)
        else:
            services.collection_item_move(
                collection=collection, item_id=item_id, member=member, up=action == "up"
            )
    except services.ResourceError as error:
        messages.error(request, str(error))
    return redirect(f"{collection.get_absolute_url()}#items")


@mfa_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    if not selectors.member_moderates_anything(member):
        raise Http404("No such page")
    resources = selectors.resources_to_moderate(member)
    return render(
        request,
        "resources/moderation_queue.html",
        {"page_obj": page_of(request, resources, per_page=PER_PAGE)},
    )


@mfa_required
@post_only("resources:detail")
def resource_moderate(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = selectors.resource_get_for_viewer(resource_id=resource_id, viewer=request.user)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, ModerateForm.not_understood)
        return redirect(resource)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.resource_moderate(
            resource=resource, moderator=request_member(request), approve=approve
        )
    except services.ResourceError as error:
        messages.error(request, str(error))
        return redirect(resource)
    if approve:
        messages.success(request, f"“{resource.title}” is approved: its readers can see it now.")
    else:
        messages.success(request, f"“{resource.title}” is not approved: only its author sees it.")
    return redirect("resources:moderation")


def _link_refused(
    request: HttpRequest, *, status: int, title: str, reason: str, resource_id: int | None
) -> HttpResponse:
    return render(
        request,
        "resources/file_link_refused.html",
        {"title": title, "reason": reason, "resource_id": resource_id},
        status=status,
    )


def file_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """A file, through a signed link made for this viewer that has not expired. An altered
    link is a 404, an expired one or someone else's a 403, each with a page that says so."""
    link = file_link_read(token)
    if link is None:
        return _link_refused(
            request,
            status=404,
            title="This download link does not work",
            reason="The link is not valid: it may have been changed or cut short when it was "
            "copied.",
            resource_id=None,
        )
    if link.expired:
        return _link_refused(
            request,
            status=403,
            title="This download link has expired",
            reason="Links to files work for a short time only, so that a copied link does not "
            "keep working. Open the resource's page again for a fresh link.",
            resource_id=link.resource_id,
        )
    if link.viewer_id != (request.user.pk or 0):
        return _link_refused(
            request,
            status=403,
            title="This download link was made for someone else",
            reason="Each link to a file is made for the person who opened the resource's page. "
            "Open the page yourself (logged in, if the resource is for members) for your own.",
            resource_id=link.resource_id,
        )
    resource = selectors.resource_get_for_viewer(resource_id=link.resource_id, viewer=request.user)
    if resource.kind != ResourceKind.FILE or not resource.file.name:
        raise Http404("No such file")
    response = FileResponse(
        default_storage.open(resource.file.name, "rb"),
        as_attachment=True,
        filename=resource.file_name,
        content_type=resource.file_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
