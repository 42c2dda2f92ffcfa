"""Pages of nominations for elected posts: the organisers' setup, the nominations page
(nominate, second, accept with a statement, withdraw) and closing early.

Every page is for the group's members only (a 404 for anyone else); every write goes through
``ballots.nominations``, whose refusals come back to the member as a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.ballots import nominations
from rankandfile.ballots.models import Nomination, NominationPeriod, Seconding
from rankandfile.ballots.nomination_forms import NominateForm, NominationPeriodForm, StatementForm
from rankandfile.ballots.selectors import member_may_organise
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import sorted_by_display_name
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only
from rankandfile.lib.markdown import markdown_render


def _period_for_member(request: HttpRequest, period_id: int) -> NominationPeriod:
    period = get_object_or_404(
        NominationPeriod.objects.select_related("group", "ballot"), pk=period_id
    )
    if not nominations.is_group_member(member=request.user, group_id=period.group_id):
        raise Http404("No such nominations")
    return period


def _nomination_of(period: NominationPeriod, nomination_id: int) -> Nomination:
    return get_object_or_404(
        Nomination.objects.select_related("nominee"), pk=nomination_id, period=period
    )


@dataclass(frozen=True)
class NominationRow:
    nomination: Nomination
    is_mine: bool
    may_second: bool
    seconded: bool
    enough_seconders: bool


def _rows(period: NominationPeriod, member: User, is_open: bool) -> list[NominationRow]:
    seconded = set(
        Seconding.objects.filter(nomination__period=period, seconder=member).values_list(
            "nomination_id", flat=True
        )
    )
    rows = []
    for nomination in nominations.period_nominations(period):
        count: int = nomination.seconder_count  # type: ignore[attr-defined]
        rows.append(
            NominationRow(
                nomination=nomination,
                is_mine=nomination.nominee_id == member.pk,
                may_second=is_open
                and nomination.withdrawn_at is None
                and member.pk not in (nomination.nominee_id, nomination.nominated_by_id)
                and nomination.pk not in seconded,
                seconded=nomination.pk in seconded,
                enough_seconders=count >= period.seconders_needed,
            )
        )
    return rows


def _nominee_choices(period: NominationPeriod, member: User) -> list[tuple[int, str]]:
    taken = Nomination.objects.filter(period=period).values("nominee_id")
    others = (
        User.objects.filter(memberships__group_id=period.group_id, is_active=True)
        .exclude(pk=member.pk)
        .exclude(pk__in=taken)
        .order_by("pk")
    )
    ordered = sorted_by_display_name(others, lambda user: user.display_name)
    return [(user.pk, str(user)) for user in ordered]


@login_required
def nominations_page(request: HttpRequest, period_id: int) -> HttpResponse:
    """The nominations: the list, and a form to nominate (POST here)."""
    period = _period_for_member(request, period_id)
    member = request_member(request)
    is_open = period.closed_at is None and timezone.now() < period.closes_at
    form = NominateForm(request.POST or None, choices=_nominee_choices(period, member))
    if request.method == "POST" and form.is_valid():
        nominee = User.objects.filter(pk=form.cleaned_data["nominee"]).first()
        try:
            if nominee is None:
                raise nominations.NominationError("Only a member of the group can be nominated.")
            nominations.nomination_create(period=period, nominator=member, nominee=nominee)
        except nominations.NominationError as error:
            form.add_error("nominee", str(error))
        else:
            messages.success(request, f"You have nominated {nominee}. They are told by email.")
            return redirect(period)
    return render(
        request,
        "ballots/nominations.html",
        {
            "period": period,
            "rows": _rows(period, member, is_open),
            "is_open": is_open,
            "form": form,
            "may_organise": member_may_organise(member=member, ballot_group=period.group),
            "statement_words": nominations.STATEMENT_WORDS,
        },
        status=400 if form.errors else 200,
    )


@login_required
@post_only("ballots:nominations", period_id="period_id")
def nomination_second(request: HttpRequest, period_id: int, nomination_id: int) -> HttpResponse:
    period = _period_for_member(request, period_id)
    nomination = _nomination_of(period, nomination_id)
    try:
        nominations.nomination_second(nomination=nomination, seconder=request_member(request))
    except nominations.NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have seconded the nomination of {nomination.nominee}.")
    return redirect(period)


@login_required
def nomination_accept(request: HttpRequest, period_id: int, nomination_id: int) -> HttpResponse:
    """The nominee's page: accept with a statement, or change it."""
    period = _period_for_member(request, period_id)
    nomination = _nomination_of(period, nomination_id)
    member = request_member(request)
    if nomination.nominee_id != member.pk:
        raise Http404("No such nomination")
    form = StatementForm(request.POST or None, initial={"statement": nomination.statement})
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                preview = markdown_render(
                    nominations.statement_clean(form.cleaned_data["statement"])
                )
            else:
                nominations.nomination_accept(
                    nomination=nomination, nominee=member, statement=form.cleaned_data["statement"]
                )
                messages.success(
                    request, "You have accepted the nomination; your statement is saved."
                )
                return redirect(period)
        except nominations.NominationError as error:
            form.add_error("statement", str(error))
    return render(
        request,
        "ballots/nomination_accept.html",
        {"period": period, "nomination": nomination, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@login_required
@post_only("ballots:nominations", period_id="period_id")
def nomination_withdraw(request: HttpRequest, period_id: int, nomination_id: int) -> HttpResponse:
    period = _period_for_member(request, period_id)
    nomination = _nomination_of(period, nomination_id)
    member = request_member(request)
    if nomination.nominee_id != member.pk:
        raise Http404("No such nomination")
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Withdraw from the election for {period.post}?",
            consequences=[
                "You will not be a candidate, and you cannot be nominated again for this post.",
            ],
            action_url=request.path,
            confirm_label="Withdraw",
            cancel_url=period.get_absolute_url(),
            danger=True,
        )
    try:
        nominations.nomination_withdraw(nomination=nomination, nominee=member)
    except nominations.NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You have withdrawn.")
    return redirect(period)


@mfa_required
@post_only("ballots:nominations")
def nominations_close(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period_for_member(request, period_id)
    member = request_member(request)
    if not member_may_organise(member=member, ballot_group=period.group):
        raise Http404("No such nominations")
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Close nominations for {period.post} now?",
            consequences=[
                "Nobody can nominate, second, accept or withdraw any more.",
                "The ballot opens at once with the accepted candidates who have enough "
                "seconders, in a random order.",
            ],
            action_url=request.path,
            confirm_label="Close nominations",
            cancel_url=period.get_absolute_url(),
        )
    try:
        ballot = nominations.nominations_close(period=period, actor=member)
    except nominations.NominationError as error:
        messages.error(request, str(error))
        return redirect(period)
    if ballot is None:
        period.refresh_from_db()
        messages.info(request, period.outcome_note)
        return redirect(period)
    messages.success(request, "Nominations are closed and voting is open.")
    return redirect(ballot)


@mfa_required
def nomination_period_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=group_slug)
    member = request_member(request)
    if not member_may_organise(member=member, ballot_group=group):
        raise Http404("No such group")
    form = NominationPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            period = nominations.nomination_period_create(organiser=member, group=group, **data)
        except nominations.NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Nominations are open. Tell the members!")
            return redirect(period)
    return render(
        request,
        "ballots/nomination_period_form.html",
        {"group": group, "form": form, "cancel_url": reverse("ballots:list")},
        status=400 if form.errors else 200,
    )
