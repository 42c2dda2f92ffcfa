"""Pages for backing campaigns: the "Campaigns to back" list, a member backing (or not) from a
campaign's page, and an organiser deciding what their groups back (second factor required)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.services import ConsentRequiredError
from rankandfile.campaigns import backing_selectors, backings, selectors
from rankandfile.campaigns.backings import BackingError, BackingTarget
from rankandfile.campaigns.forms import BackingForm
from rankandfile.campaigns.models import Campaign, CampaignState
from rankandfile.groups.models import Group, GroupKind, Visibility
from rankandfile.groups.selectors import group_get_for_viewer
from rankandfile.lib.paging import page_of


def _target(request: HttpRequest, kind: str, slug: str) -> BackingTarget:
    """The campaign or campaign group of a backing page's address, or 404: one the visitor may
    see (a pressure campaign that is not a draft; a campaign group)."""
    if kind == "campaigns":
        return selectors.campaign_get_public(slug=slug)
    group = group_get_for_viewer(slug=slug, viewer=request.user)
    if group.kind != GroupKind.CAMPAIGN:
        raise Http404("No such campaign group")
    return group


def _title(target: BackingTarget) -> str:
    return target.title if isinstance(target, Campaign) else target.name


def _kind(target: BackingTarget) -> str:
    return "campaigns" if isinstance(target, Campaign) else "groups"


def open_to_backing(target: BackingTarget) -> bool:
    """Whether new backings are taken: an open pressure campaign, or a campaign group that
    is not hidden (as ``backings`` checks again)."""
    if isinstance(target, Campaign):
        return target.state == CampaignState.OPEN
    return backing_shown(target)


def backing_shown(group: Group) -> bool:
    """Whether a group's page lists who backs it: a campaign group that is not hidden."""
    return group.kind == GroupKind.CAMPAIGN and group.visibility != Visibility.HIDDEN


def backing_context(request: HttpRequest, target: BackingTarget) -> dict[str, object]:
    """What campaigns/includes/backing.html needs on a campaign's or campaign group's page."""
    mine = None
    organises = False
    if isinstance(request.user, User):
        mine = backing_selectors.backing_of_member(target=target, member=request.user)
        organises = backing_selectors.member_organises_a_group(request.user)
    return {
        "backing": backing_selectors.backing_summary(target),
        "backing_kind": _kind(target),
        "backing_slug": target.slug,
        "backing_open": open_to_backing(target),
        "my_backing": mine,
        "backing_form": BackingForm(initial={"show_name": mine.show_name if mine else False}),
        "organises_a_group": organises,
    }


def campaigns_to_back(request: HttpRequest) -> HttpResponse:
    """Campaign groups and open pressure campaigns, with who backs them, nearest first."""
    rows, near = backing_selectors.campaigns_to_back(request.user)
    return render(
        request,
        "campaigns/campaigns_to_back.html",
        {"page_obj": page_of(request, rows), "near": near, "query_without_page": ""},
    )


def _back_to(target: BackingTarget) -> HttpResponse:
    return redirect(f"{target.get_absolute_url()}#backing")


@login_required
def backing_member(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """The member backs the campaign, or changes whether their name is shown."""
    target = _target(request, kind, slug)
    if request.method != "POST":
        return _back_to(target)
    form = BackingForm(request.POST)
    show_name = bool(form.is_valid() and form.cleaned_data["show_name"])
    try:
        _, new = backings.backing_member_set(
            target=target, member=request_member(request), show_name=show_name
        )
    except (BackingError, ConsentRequiredError) as error:
        messages.error(request, str(error))
        return _back_to(target)
    said = "You back this campaign." if new else "Your backing is saved."
    if show_name:
        messages.success(request, f"{said} Your display name is shown on its page.")
    else:
        messages.success(request, f"{said} You are counted, and your name is not shown.")
    return _back_to(target)


@login_required
def backing_member_stop(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    target = _target(request, kind, slug)
    if request.method != "POST":
        return _back_to(target)
    if backings.backing_member_stop(target=target, member=request_member(request)):
        messages.success(request, "You no longer back this campaign.")
    return _back_to(target)


def _organised_group(slug: str) -> Group | None:
    return Group.objects.filter(slug=slug).first() if slug else None


@mfa_required
def backing_by_group(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """An organiser has a group they organise back the campaign, or withdraws its backing."""
    target = _target(request, kind, slug)
    organiser = request_member(request)
    if request.method == "POST":
        group = _organised_group(request.POST.get("group", ""))
        withdraw = request.POST.get("action") == "withdraw"
        try:
            if group is None:  # the same answer as for a group the member does not organise
                raise BackingError("Only the group's organisers can decide what it backs.")
            if withdraw:
                backings.backing_group_withdraw(target=target, group=group, organiser=organiser)
                messages.success(request, f"{group.name} no longer backs “{_title(target)}”.")
            else:
                backings.backing_group_create(target=target, group=group, organiser=organiser)
                messages.success(request, f"{group.name} now backs “{_title(target)}”.")
        except BackingError as error:
            messages.error(request, str(error))
        return redirect("backing:by_group", kind=kind, slug=slug)
    return render(
        request,
        "campaigns/backing_by_group.html",
        {
            "target": target,
            "title": _title(target),
            "kind": kind,
            "choices": backing_selectors.groups_to_back_with(target=target, organiser=organiser),
            "open_to_backing": open_to_backing(target),
        },
    )
