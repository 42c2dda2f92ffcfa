from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.campaigns import drafts, errors, figures, selectors, services
from rankandfile.campaigns.backing_views import backing_context
from rankandfile.campaigns.forms import (
    CampaignForm,
    PledgeForm,
    StageFields,
    campaign_initial,
    stage_forms_bound,
    stage_forms_resized,
    stage_initial,
)
from rankandfile.campaigns.models import (
    STAGES_MOST,
    Campaign,
    CampaignState,
    Demand,
    DemandStatus,
    Pledge,
    Stage,
    StageState,
)
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import group_get_for_organiser
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only, redirect_back
from rankandfile.lib.money import pounds
from rankandfile.lib.page_cache import cached_for_visitors
from rankandfile.lib.paging import page_of
from rankandfile.lib.prefill import prefill_forget, prefill_initial

# The embeddable counter has no script and no form, and any site may frame it.
EMBED_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": ["*"],
}


def _totals_context(
    campaign: Campaign, stages: list[Stage] | None = None, stage: Stage | None = None
) -> dict[str, object]:
    stages = selectors.campaign_stages(campaign) if stages is None else stages
    stage = stage or selectors.stage_current_among(stages)
    return {
        "campaign": campaign,
        "stage": stage,
        "stages_count": len(stages),
        "figures": selectors.stage_published(stage) if stage else None,
        "amount_cap_pence": figures.AMOUNT_CAP_PENCE,
        "amount_rounding_pence": figures.AMOUNT_ROUNDING_PENCE,
    }


def _campaign_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    form: PledgeForm | None = None,
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The campaign page: the call to action first (deadline, progress, the pledge form or the
    member's pledge), then the reasons, the demands, the whole ladder and the figures.

    ``form`` is the pledge form as the member sent it, when it comes back with errors. In a
    preview the first stage is shown as it will open, with a pledge form that does nothing."""
    stages = selectors.campaign_stages(campaign)
    first = stages[0] if preview and stages else None
    context = _totals_context(campaign, stages, first)
    stage = context["stage"]
    pledge = None
    outcomes: list[selectors.PledgeOutcome] = []
    if request.user.is_authenticated and not preview:
        outcomes = selectors.pledge_outcomes(campaign=campaign, member=request_member(request))
        if isinstance(stage, Stage):
            pledge = selectors.pledge_of(stage=stage, member=request_member(request))
    if isinstance(stage, Stage) and form is None:
        if preview:
            form = PledgeForm(options=stage.options.all())
        elif stage.state == StageState.OPEN and request.user.is_authenticated:
            form = PledgeForm(options=stage.options.all(), initial=_pledge_initial(pledge))
    context |= {
        "pledge": pledge,
        "outcomes": outcomes,
        "form": form,
        "preview": preview,
        "demands": campaign.demands.all(),
        "ladder": _ladder(stages),
    }
    if not preview:
        context |= backing_context(request, campaign)
    return render(request, "campaigns/campaign_detail.html", context, status=status)


def _ladder(stages: list[Stage]) -> list[tuple[Stage, int | None]]:
    """Every stage, with its live people count (public, as on the counter) once it started
    (``campaign_stages`` counted them)."""
    return [
        (
            stage,
            None
            if stage.state == StageState.PENDING
            else selectors.public_count(stage.people or 0),  # type: ignore[attr-defined]
        )
        for stage in stages
    ]


def _pledge_initial(pledge: Pledge | None) -> dict[str, object]:
    if pledge is None:
        return {}
    initial: dict[str, object] = {"options": [o.key for o in pledge.options.all()]}
    if pledge.amount_pence:
        initial["amount"] = f"{pledge.amount_pence / 100:.2f}"
    return initial


# On deadline day most of the load is visitors opening a campaign's page from a shared link
# (and, while it is open, asking for its totals every 10 s), or its counter framed on another
# site: each gets a copy at most a second old (the counter's copy is as old), built once a
# second, not once a visitor. Members, signed in, see their own pledge at once.
PUBLIC_PAGE_SECONDS = 1


@cached_for_visitors(PUBLIC_PAGE_SECONDS)
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _campaign_page(request, selectors.campaign_get_public(slug=slug))


@cached_for_visitors(PUBLIC_PAGE_SECONDS)
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


@cached_for_visitors(PUBLIC_PAGE_SECONDS)
@xframe_options_exempt
@csp_override(EMBED_CSP)
def campaign_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A small counter that other sites may put in an iframe (no cookies, no forms)."""
    campaign = selectors.campaign_get_public(slug=slug)
    return render(request, "campaigns/embed.html", _totals_context(campaign))


def _open_stage(campaign: Campaign) -> Stage:
    stage = selectors.stage_taking_pledges(campaign)
    if stage is None:
        raise errors.PledgingClosedError(errors.NOT_TAKING)
    return stage


@post_only("campaigns:detail")
@login_required
def pledge_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the member's pledge; on an error the page comes back with all they ticked and
    typed, the error summary first and each message beside its field (never a redirect). It
    answers 200, as a page that asks again: browsers log a 400 page as a console error.

    The stage and its options are the cached copies the API reads too (deadline day sends
    every pledge here); what decides whether the stage still takes pledges is the tally shard
    the pledge locks, never the copy."""
    stage = selectors.stage_taking_pledges_by_slug(slug)
    if stage is None:
        campaign = selectors.campaign_get_public(slug=slug)  # 404 for no such campaign
        messages.error(request, errors.NOT_TAKING)
        return redirect(campaign)
    campaign = stage.campaign
    form = PledgeForm(request.POST, options=selectors.stage_options(stage.pk).values())
    valid = form.is_valid()
    member = request_member(request)
    if rate_limited(request, action="pledge", member=member):
        form.add_error(None, RATE_LIMITED)
        return _campaign_page(request, campaign, form=form, status=429)
    if not valid:
        return _campaign_page(request, campaign, form=form)
    existing = selectors.pledge_of(stage=stage, member=member)
    save = services.pledge_update if existing else services.pledge_create
    try:
        save(
            stage=stage,
            member=member,
            option_keys=form.cleaned_data["options"],
            amount_pence=form.cleaned_data.get("amount"),
        )
    except errors.PledgingClosedError as error:
        messages.error(request, str(error))
        return redirect(campaign)
    except errors.CampaignError as error:
        form.add_error(None, str(error))
        return _campaign_page(request, campaign, form=form)
    messages.success(request, "Your pledge is saved. Nobody else can see that you pledged.")
    return redirect(campaign)


@post_only("campaigns:detail")
@login_required
def pledge_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.campaign_get_public(slug=slug)
    if not confirmed(request):
        return confirm_page(
            request,
            title="Withdraw your pledge?",
            consequences=[
                f"Your pledge to “{campaign.title}” is deleted: the count goes down by one.",
                "If enough others pledge, they act without you.",
                "You can pledge again until the deadline.",
            ],
            action_url=reverse("campaigns:withdraw", kwargs={"slug": slug}),
            confirm_label="Withdraw my pledge",
            cancel_url=campaign.get_absolute_url(),
            danger=True,
        )
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


def _stage_input(form: StageFields) -> drafts.StageInput:
    data = form.cleaned_data
    taken: set[str] = set()
    pounds_needed = data.get("threshold_pounds")
    return drafts.StageInput(
        title=data["title"],
        deadline=data["deadline"],
        threshold_people=data.get("threshold_people"),
        threshold_amount_pence=pounds_needed * 100 if pounds_needed else None,
        options=[
            drafts.OptionInput(
                key=_option_key(label, taken),
                label=label,
                asks_amount=asks,
                amount_label=amount_label,
            )
            for label, asks, amount_label in form.option_inputs()
        ],
        action_instructions=data["action_instructions"],
        letter_template=data.get("letter_template", ""),
        verdict_quorum_percent=data["verdict_quorum_percent"],
    )


def _draft_form_page(
    request: HttpRequest, *, group: Group, campaign: Campaign | None = None
) -> HttpResponse:
    """The draft form, new or edited: the campaign, its demands and a ladder of any number of
    stages (up to STAGES_MOST). "Add another stage" and "Remove" send the form back with a row
    more or less, keeping everything typed; saving validates every row."""
    data = request.POST
    if request.method != "POST":
        if campaign is None:
            form = CampaignForm(
                initial=prefill_initial(request, form="campaigns:new", owner=group.pk)
            )
            stage_forms = [StageFields(prefix="stage1")]
        else:
            form = CampaignForm(initial=campaign_initial(campaign))
            stage_forms = [
                StageFields(prefix=f"stage{stage.number}", initial=stage_initial(stage))
                for stage in campaign.stages.order_by("number").prefetch_related("options")
            ]
    elif "add_stage" in data or "remove_stage" in data:
        remove = data.get("remove_stage", "")
        form = CampaignForm(initial={name: data.get(name, "") for name in CampaignForm.base_fields})
        stage_forms = stage_forms_resized(
            data, add="add_stage" in data, remove=int(remove) if remove.isdigit() else None
        )
    else:
        form, stage_forms = CampaignForm(data), stage_forms_bound(data)
        if form.is_valid() and all(each.is_valid() for each in stage_forms):
            stages = [
                _stage_input(each)
                for number, each in enumerate(stage_forms, 1)
                if number == 1 or each.has_changed()
            ]
            words = {
                "title": form.cleaned_data["title"],
                "target": form.cleaned_data["target"],
                "explanation": form.cleaned_data["explanation"],
                "demands": form.demand_list(),
                "stages": stages,
            }
            try:
                if campaign is None:
                    campaign = drafts.campaign_create(
                        organiser=request_member(request), group=group, **words
                    )
                    prefill_forget(request, form="campaigns:new")
                else:
                    drafts.campaign_update(
                        campaign=campaign, organiser=request_member(request), **words
                    )
            except errors.CampaignError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, "The campaign is saved as a draft. Preview it, then open it."
                )
                return redirect("campaigns:manage", slug=campaign.slug)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "group": group,
            "campaign": campaign,
            "form": form,
            "stage_forms": stage_forms,
            "stages_most": STAGES_MOST,
        },
    )


@mfa_required
def campaign_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    """An organiser drafts a campaign for their group: demands and a ladder of stages."""
    group = group_get_for_organiser(slug=group_slug, organiser=request_member(request))
    return _draft_form_page(request, group=group)


def _campaign_for_organiser(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("group"), slug=slug)
    group_get_for_organiser(slug=campaign.group.slug, organiser=request_member(request))
    return campaign


def _draft_for_organiser(request: HttpRequest, slug: str) -> Campaign | HttpResponse:
    """The organiser's draft, or the way back to the organiser page once it is open."""
    campaign = _campaign_for_organiser(request, slug)
    if campaign.state != CampaignState.DRAFT:
        messages.info(request, "This campaign is open: it can no longer be edited or deleted.")
        return redirect("campaigns:manage", slug=slug)
    return campaign


@mfa_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _draft_for_organiser(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return _draft_form_page(request, group=campaign.group, campaign=campaign)


@mfa_required
def campaign_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft's page exactly as members will see it, under a "not open yet" banner."""
    campaign = _campaign_for_organiser(request, slug)
    if campaign.state != CampaignState.DRAFT:
        return redirect(campaign)
    return _campaign_page(request, campaign, preview=True)


@post_only("campaigns:manage")
@mfa_required
def campaign_delete(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _draft_for_organiser(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Delete the draft “{campaign.title}”?",
            consequences=[
                "The draft, its demands and all its stages are deleted for good.",
                "Nobody has seen it: it was never open.",
            ],
            action_url=reverse("campaigns:delete", kwargs={"slug": slug}),
            confirm_label="Delete the draft",
            cancel_url=reverse("campaigns:manage", kwargs={"slug": slug}),
            danger=True,
        )
    group = campaign.group
    try:
        drafts.campaign_delete(campaign=campaign, organiser=request_member(request))
    except errors.CampaignError as error:
        messages.error(request, str(error))
        return redirect("campaigns:manage", slug=slug)
    messages.success(request, f"The draft “{campaign.title}” is deleted.")
    return redirect("groups:manage", slug=group.slug)


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


def _open_consequences(campaign: Campaign) -> list[str]:
    first = campaign.stages.order_by("number").first()
    assert first is not None
    deadline = timezone.localtime(first.deadline)
    return [
        "The campaign page becomes public: anyone with the link can read it, and members can "
        "pledge.",
        f"Stage 1, “{first.title}”, takes pledges until {deadline:%-d %B %Y, %H:%M}.",
        "You can no longer edit or delete the campaign.",
    ]


@post_only("campaigns:manage")
@mfa_required
def campaign_open(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign_for_organiser(request, slug)
    if campaign.state == CampaignState.DRAFT and not confirmed(request):
        return confirm_page(
            request,
            title=f"Open “{campaign.title}” for pledges?",
            consequences=_open_consequences(campaign),
            action_url=reverse("campaigns:open", kwargs={"slug": slug}),
            confirm_label="Open the campaign",
            cancel_url=reverse("campaigns:manage", kwargs={"slug": slug}),
        )
    try:
        services.campaign_open(campaign=campaign, organiser=request_member(request))
    except errors.CampaignError as error:
        messages.error(request, str(error))
        return redirect("campaigns:manage", slug=slug)
    messages.success(request, "The campaign is open for pledges.")
    return redirect(campaign)


@mfa_required
@post_only("campaigns:manage", slug="slug")
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
@post_only("groups:manage", slug="group_slug")
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


def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every campaign the visitor may see, by state, 50 a page."""
    state = request.GET.get("state", "")
    if state not in dict(selectors.LISTED_STATES):
        state = ""  # an unknown state shows them all rather than an empty page
    campaigns = selectors.campaigns_listed(viewer=request.user, state=state)
    page = page_of(request, campaigns)
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
