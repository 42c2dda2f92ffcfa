from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.campaigns import errors, figures, selectors, services
from rankandfile.campaigns.forms import CampaignForm, PledgeForm, StageFields
from rankandfile.campaigns.models import Campaign, Demand, DemandStatus, Stage, StageState
from rankandfile.groups.selectors import group_get_for_organiser
from rankandfile.lib.http import redirect_back
from rankandfile.lib.money import pounds

# The embeddable counter has no script and no form, and any site may frame it.
EMBED_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": ["*"],
}


def _totals_context(campaign: Campaign) -> dict[str, object]:
    stage = selectors.stage_current(campaign)
    return {
        "campaign": campaign,
        "stage": stage,
        "figures": selectors.stage_published(stage) if stage else None,
        "amount_cap_pence": figures.AMOUNT_CAP_PENCE,
        "amount_rounding_pence": figures.AMOUNT_ROUNDING_PENCE,
    }


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_get_public(slug=slug)
    context = _totals_context(campaign)
    stage = context["stage"]
    pledge = form = None
    if isinstance(stage, Stage) and request.user.is_authenticated:
        pledge = selectors.pledge_of(stage=stage, member=request_member(request))
        if stage.state == StageState.OPEN:
            initial: dict[str, object] = {}
            if pledge:
                initial["options"] = [o.key for o in pledge.options.all()]
                if pledge.amount_pence:
                    initial["amount"] = f"{pledge.amount_pence / 100:.2f}"
            form = PledgeForm(stage=stage, initial=initial)
    context |= {"pledge": pledge, "form": form, "demands": campaign.demands.all()}
    return render(request, "campaigns/campaign_detail.html", context)


def campaign_totals(request: HttpRequest, slug: str) -> HttpResponse:
    """The live totals fragment, refreshed by htmx without reloading the page."""
    campaign = selectors.campaign_get_public(slug=slug)
    return render(request, "campaigns/campaign_detail.html#totals", _totals_context(campaign))


def campaign_counter(request: HttpRequest, slug: str) -> HttpResponse:
    """The public JSON counter: aggregates only, built at most once a second per process."""
    body = selectors.campaign_counter_json(slug=slug)
    if body is None:
        raise Http404("No such campaign")
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=5"
    return response


@xframe_options_exempt
@csp_override(EMBED_CSP)
def campaign_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A small counter that other sites may put in an iframe (no cookies, no forms)."""
    campaign = selectors.campaign_get_public(slug=slug)
    return render(request, "campaigns/embed.html", _totals_context(campaign))


def _open_stage(campaign: Campaign) -> Stage:
    stage = selectors.stage_taking_pledges(campaign)
    if stage is None:
        raise errors.PledgingClosedError("This campaign is not taking pledges now.")
    return stage


def _pledge_page(
    request: HttpRequest, campaign: Campaign, stage: Stage, form: PledgeForm, status: int
) -> HttpResponse:
    """The campaign page again, with the member's pledge form as they sent it."""
    context = _totals_context(campaign) | {
        "form": form,
        "pledge": selectors.pledge_of(stage=stage, member=request_member(request)),
        "demands": campaign.demands.all(),
    }
    return render(request, "campaigns/campaign_detail.html", context, status=status)


@login_required
@require_POST
def pledge_save(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_get_public(slug=slug)
    try:
        stage = _open_stage(campaign)
        form = PledgeForm(request.POST, stage=stage)
        valid = form.is_valid()
        if rate_limited(request, action="pledge", member=request_member(request)):
            form.add_error(None, RATE_LIMITED)
            return _pledge_page(request, campaign, stage, form, status=429)
        if not valid:
            return _pledge_page(request, campaign, stage, form, status=400)
        existing = selectors.pledge_of(stage=stage, member=request_member(request))
        save = services.pledge_update if existing else services.pledge_create
        save(
            stage=stage,
            member=request_member(request),
            option_keys=form.cleaned_data["options"],
            amount_pence=form.cleaned_data.get("amount"),
        )
    except errors.CampaignError as error:
        messages.error(request, str(error))
        return redirect(campaign)
    messages.success(request, "Your pledge is saved. Nobody else can see that you pledged.")
    return redirect(campaign)


@login_required
@require_POST
def pledge_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_get_public(slug=slug)
    if rate_limited(request, action="pledge", member=request_member(request)):
        messages.error(request, f"Your pledge stands. {RATE_LIMITED}")
        return redirect(campaign)
    try:
        services.pledge_withdraw(stage=_open_stage(campaign), member=request_member(request))
    except errors.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your pledge has been withdrawn.")
    return redirect(campaign)


@login_required
def action_pack(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = selectors.campaign_get_public(slug=slug)
    stage = get_object_or_404(Stage, campaign=campaign, number=number, state=StageState.TRIGGERED)
    pledge = selectors.pledge_of(stage=stage, member=request_member(request))
    if pledge is None:
        return render(request, "campaigns/no_action_pack.html", {"campaign": campaign}, status=404)
    if request.method == "POST":
        services.pledge_confirm_done(stage=stage, member=request_member(request))
        messages.success(request, "Thank you. You acted together with everyone who pledged.")
        return redirect("campaigns:action_pack", slug=slug, number=number)
    amount = pounds(pledge.amount_pence)
    letter = services.letter_fill(
        stage=stage, display_name=request_member(request).display_name, amount=amount
    )
    return render(
        request,
        "campaigns/action_pack.html",
        {
            "campaign": campaign,
            "stage": stage,
            "pledge": pledge,
            "letter": letter,
            "act_by": services.act_by(stage),
        },
    )


def _option_key(label: str, taken: set[str]) -> str:
    base = slugify(label)[:32] or "option"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _stage_input(form: StageFields) -> services.StageInput:
    data = form.cleaned_data
    taken: set[str] = set()
    pounds_needed = data.get("threshold_pounds")
    return services.StageInput(
        title=data["title"],
        deadline=data["deadline"],
        threshold_people=data.get("threshold_people"),
        threshold_amount_pence=pounds_needed * 100 if pounds_needed else None,
        options=[
            services.OptionInput(key=_option_key(label, taken), label=label, asks_amount=asks)
            for label, asks in form.option_inputs()
        ],
        action_instructions=data["action_instructions"],
        letter_template=data.get("letter_template", ""),
        verdict_quorum_percent=data["verdict_quorum_percent"],
    )


@mfa_required
def campaign_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    """An organiser drafts a campaign for their group: demands and up to two stages."""
    group = group_get_for_organiser(slug=group_slug, organiser=request_member(request))
    data = request.POST or None
    form = CampaignForm(data)
    first = StageFields(data, prefix="stage1")
    second = StageFields(data, prefix="stage2", empty_permitted=True, use_required_attribute=False)
    if request.method == "POST" and form.is_valid() and first.is_valid() and second.is_valid():
        stages = [_stage_input(first)]
        if second.has_changed():
            stages.append(_stage_input(second))
        try:
            campaign = services.campaign_create(
                organiser=request_member(request),
                group=group,
                title=form.cleaned_data["title"],
                target=form.cleaned_data["target"],
                explanation=form.cleaned_data["explanation"],
                demands=form.demand_list(),
                stages=stages,
            )
        except errors.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The campaign is saved as a draft. Check it, then open it.")
            return redirect("campaigns:manage", slug=campaign.slug)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"group": group, "form": form, "stage_forms": [first, second]},
    )


def _campaign_for_organiser(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    group_get_for_organiser(slug=campaign.group.slug, organiser=request_member(request))
    return campaign


@mfa_required
def campaign_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Organisers see what everyone sees, aggregates only, plus the draft's controls."""
    campaign = _campaign_for_organiser(request, slug)
    stages = [(stage, selectors.stage_published(stage)) for stage in campaign.stages.all()]
    return render(
        request,
        "campaigns/campaign_manage.html",
        {"campaign": campaign, "stages": stages, "demands": campaign.demands.all()},
    )


@mfa_required
@require_POST
def campaign_open(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_for_organiser(request, slug)
    try:
        services.campaign_open(campaign=campaign, organiser=request_member(request))
    except errors.CampaignError as error:
        messages.error(request, str(error))
        return redirect("campaigns:manage", slug=slug)
    messages.success(request, "The campaign is open for pledges.")
    return redirect(campaign)


@mfa_required
@require_POST
def demand_status(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    campaign = _campaign_for_organiser(request, slug)
    demand = get_object_or_404(Demand, campaign=campaign, position=position)
    status = request.POST.get("status", "")
    if status not in DemandStatus.values:
        messages.error(request, "Choose a status for the demand.")
    else:
        services.demand_status_set(
            demand=demand, organiser=request_member(request), status=DemandStatus(status)
        )
        messages.success(
            request, f"Demand {position} is now marked “{demand.get_status_display()}”."
        )
    return redirect("campaigns:manage", slug=slug)


@mfa_required
@require_POST
def vouch(request: HttpRequest, group_slug: str, member_id: int) -> HttpResponse:
    """An organiser vouches for a member of their group (their pledges then count as verified)."""
    group = group_get_for_organiser(slug=group_slug, organiser=request_member(request))
    member = get_object_or_404(User, pk=member_id, memberships__group=group)
    try:
        services.vouch_create(group=group, organiser=request_member(request), member=member)
    except errors.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have vouched for {member.display_name}.")
    return redirect_back(request, "groups:manage", slug=group.slug)


CAMPAIGNS_PER_PAGE = 50


def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every campaign the visitor may see, by state, 50 a page."""
    state = request.GET.get("state", "")
    if state not in dict(selectors.LISTED_STATES):
        state = ""  # an unknown state shows them all rather than an empty page
    campaigns = selectors.campaigns_listed(viewer=request.user, state=state)
    page = Paginator(campaigns, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page_obj": page,
            "rows": selectors.campaign_rows(list(page.object_list)),
            "states": selectors.LISTED_STATES,
            "state": state,
            "query_without_page": urlencode({"state": state}) if state else "",
        },
    )
