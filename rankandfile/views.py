from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template, render_to_string

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.ballots import selectors as ballot_selectors
from rankandfile.campaigns import selectors as campaign_selectors
from rankandfile.campaigns.backing_views import backing_context, backing_shown
from rankandfile.campaigns.selectors import campaigns_public, vouched_member_ids_query
from rankandfile.groups import selectors as group_selectors
from rankandfile.groups.forms import InvitationForm, MemberFilterForm
from rankandfile.groups.models import Group, Membership, Visibility
from rankandfile.groups.selectors import groups_directory, groups_of_member
from rankandfile.introductions import selectors as introduction_selectors
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.lib.postcodes import postcode_area
from rankandfile.opinions import selectors as opinion_selectors


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors get the landing page; a member, what needs them now and their groups."""
    if isinstance(request.user, User):
        return _member_home(request, request.user)
    return render(
        request,
        "home.html",
        {
            "group_count": Group.objects.exclude(visibility=Visibility.HIDDEN).count(),
            "member_count": User.objects.filter(is_active=True).count(),
            "featured": groups_directory(viewer=request.user)[:6],
            "campaigns": campaigns_public()[:3],
        },
    )


def _member_home(request: HttpRequest, member: User) -> HttpResponse:
    """Every list is the member's own; a fixed number of queries, whatever is in them."""
    pledges = campaign_selectors.pledges_needing_member(member)
    return render(
        request,
        "home_member.html",
        {
            "member": member,
            "ballots": list(ballot_selectors.ballots_awaiting_vote(member)),
            "pledges": pledges.waiting,
            "action_packs": pledges.action_packs,
            "conversations": opinion_selectors.conversations_awaiting_votes(member),
            "introductions": introduction_selectors.introductions_awaiting_answer(member),
            "memberships": list(groups_of_member(member)),
            "groups_near": group_selectors.groups_near(member),
            "area": postcode_area(member.postcode_district),
            "campaign_rows": campaign_selectors.campaign_rows(
                list(campaign_selectors.campaigns_open_of_member_groups(member))
            ),
        },
    )


# A group's page (groups:detail) and its organisers' page (groups:manage) show the group's
# campaigns and vouches, so they are put together here, above both apps, like the home page.
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_selectors.group_get_for_viewer(slug=slug, viewer=request.user)
    membership = pending = None
    is_organiser = False
    if isinstance(request.user, User):
        membership = group_selectors.membership_of(group=group, member=request.user)
        pending = group_selectors.pending_request_of(group=group, member=request.user)
        is_organiser = group_selectors.member_is_organiser(request.user, group)
    count = Membership.objects.filter(group=group).count()
    # A campaign group's page lists who backs it, as a pressure campaign's page does.
    backing = backing_context(request, group) if backing_shown(group) else {}
    return render(
        request,
        "groups/group_detail.html",
        backing
        | {
            "group": group,
            "membership": membership,
            "pending": pending,
            "is_organiser": is_organiser,
            "member_count": group_selectors.member_count_public(count),
            "affiliated_since": group.affiliated_since,
            "campaigns": campaigns_public(group=group),
            "conversations": opinion_selectors.conversations_for_viewer(request.user).filter(
                group=group
            )
            if membership
            else [],
        },
    )


@mfa_required
def group_manage(request: HttpRequest, slug: str) -> HttpResponse:
    member = request_member(request)
    group = group_selectors.group_get_for_organiser(slug=slug, organiser=member)
    filter_form = MemberFilterForm(request.GET or None)
    filters = filter_form.filters()
    memberships = group_selectors.group_members_for_organiser(
        group, filters, vouched_member_ids=vouched_member_ids_query(group)
    )
    page = page_of(request, memberships)
    return render(
        request,
        "groups/group_manage.html",
        {
            "group": group,
            "filter_form": filter_form,
            "filtered": filters != group_selectors.MemberFilters(),
            "page_obj": page,
            "members": group_selectors.member_rows(page),
            "query_without_page": query_without_page(request),
            "back": request.GET.urlencode(),
            "request_count": group_selectors.pending_request_count(group),
            "invitation_form": InvitationForm(),
            "campaigns": group.campaigns.all(),
        },
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered with the site's name only: no context processors, which may be
    what failed (a database that is down, a broken session)."""
    html = render_to_string("500.html", {"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)


class _StyleguideForm(forms.Form):
    """A form shown with its errors on /styleguide/, to show fields in every state."""

    display_name = forms.CharField(label="Display name", help_text="Shown to other members.")
    amount = forms.DecimalField(
        label="How much will you claim back, in pounds?", help_text="For example, 12.50"
    )
    consent = forms.BooleanField(
        label="Keep my membership", help_text="You can withdraw this consent at any time."
    )
    kind = forms.ChoiceField(
        label="Kind of group",
        widget=forms.RadioSelect,
        choices=[("branch", "Local party branch"), ("union", "Trade union branch")],
    )
    about = forms.CharField(label="About the group", widget=forms.Textarea, required=False)


# (id, title, what it is for) of each part of templates/styleguide/, in order.
_SPECIMENS = [
    ("colours", "Colours", "Tokens in :root of site.css; use the variables, never a raw colour."),
    ("type", "Type", "System fonts; one scale from --text-sm to --text-3xl. One h1 a page."),
    ("buttons", "Buttons", "One primary action a screen; danger only for what cannot be undone."),
    ("fields", "Form fields", "templates/includes/field.html: label, control, hint, error."),
    ("error_summary", "Error summary", "{% error_summary form %} at the top of a form page."),
    ("cards", "Cards and panels", "A .cards list of .card items; .card-accent for what is due."),
    ("table", "Tables", "Give each td a data-label; .table-reflow stacks rows on a phone."),
    ("progress", "Progress", "A <progress> with a label line, towards each threshold."),
    ("tabs", "Tabs", "Links to server-rendered views; the current one has aria-current."),
    ("confirm", "Confirmation", "templates/confirm.html: say what will happen, then ask."),
    ("details", "Details", "Explanations a click away, folded by default."),
    ("tags", "Tags and badges", "States and roles; words, never colour alone."),
    ("messages", "Messages and notices", "Django messages after an action; notices before."),
    ("pagination", "Pagination", "templates/includes/pagination.html, 50 a page."),
    ("copy_box", "Copy box", "A readonly field and a copy button; never widens the page."),
    ("header", "Header", "The classes base.html's header uses: brand, site-nav, member-menu."),
]


def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component with its markup, for the people building pages; DEBUG only."""
    if not settings.DEBUG:
        raise Http404
    form = _StyleguideForm(data={"display_name": "Red Robin", "amount": "twelve"})
    form.is_valid()  # bound with mistakes, to show the error states
    page_obj = Paginator(range(230), 50).page(2)
    context: dict[str, Any] = {"form": form, "page_obj": page_obj, "query_without_page": ""}
    specimens = []
    for number, (slug, title, note) in enumerate(_SPECIMENS, start=1):
        template = get_template(f"styleguide/{number:02}_{slug}.html")
        specimens.append(
            {
                "slug": slug,
                "title": title,
                "note": note,
                "html": template.render(context, request),
                "source": template.template.source.strip(),  # type: ignore[attr-defined]
            }
        )
    return render(request, "styleguide.html", {"specimens": specimens})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token, most often from a page left open so long that
    the session ended: say how to recover, in our page frame (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)
