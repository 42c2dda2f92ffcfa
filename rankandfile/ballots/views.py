from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.ballots import selectors, services
from rankandfile.ballots.forms import BallotForm, QuestionForm, ReceiptLookupForm, VoteForm
from rankandfile.ballots.models import Ballot, BallotBundle, BallotState
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import groups_organised_by


@login_required
def ballot_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    organised = groups_organised_by(member).order_by("name")
    return render(
        request,
        "ballots/ballot_list.html",
        {"ballots": selectors.ballots_for_member(member), "organised": organised},
    )


def ballot_detail(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    entry = selectors.roll_entry_of(ballot=ballot, member=request.user)
    may_organise = isinstance(request.user, User) and selectors.member_may_organise(
        member=request.user, ballot_group=ballot.group
    )
    return render(
        request,
        "ballots/ballot_detail.html",
        {
            "ballot": ballot,
            "questions": ballot.questions.prefetch_related("choices"),
            "roll_entry": entry,
            "may_organise": may_organise,
        },
    )


@login_required
def ballot_vote(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    entry = selectors.roll_entry_of(ballot=ballot, member=request.user)
    if ballot.state != BallotState.OPEN or entry is None or entry.has_voted:
        return redirect(ballot)
    questions = list(ballot.questions.prefetch_related("choices"))
    form = VoteForm(request.POST or None, questions=questions)
    if request.method == "POST" and rate_limited(
        request, action="vote", member=request_member(request)
    ):
        form.add_error(None, RATE_LIMITED)  # the page shows the answers as they were sent
        return render(
            request, "ballots/ballot_vote.html", {"ballot": ballot, "form": form}, status=429
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_cast(
                ballot=ballot,
                member=request_member(request),
                receipt_hash=form.cleaned_data["receipt_hash"],
                answers=form.cleaned_data["answers"],
            )
        except services.InvalidAnswersError as error:
            form.add_error(None, str(error))
        except services.BallotError as error:
            messages.error(request, str(error))
            if not isinstance(error, services.ReceiptError):
                return redirect(ballot)
        else:
            return redirect("ballots:voted", ballot_id=ballot.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "ballots/ballot_vote.html", {"ballot": ballot, "form": form}, status=status
    )


@login_required
def ballot_voted(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    entry = selectors.roll_entry_of(ballot=ballot, member=request.user)
    if entry is None or not entry.has_voted:
        return redirect(ballot)
    return render(request, "ballots/ballot_voted.html", {"ballot": ballot})


def ballot_receipt(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """Find a paper by its receipt code. The code is the voter's secret: it comes by POST, is
    hashed here and never stored or logged."""
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    form = ReceiptLookupForm(request.POST or None)
    answers = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        paper = selectors.paper_for_receipt(ballot=ballot, code=form.cleaned_data["code"])
        if paper is not None:
            answers = selectors.paper_answers(ballot, paper.contents)
    return render(
        request,
        "ballots/ballot_receipt.html",
        {"ballot": ballot, "form": form, "answers": answers, "searched": searched},
    )


def ballot_results(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    if ballot.state != BallotState.PUBLISHED:
        raise Http404("Results appear only after the ballot closes.")
    bundle = BallotBundle.objects.filter(ballot=ballot).only("sha256").first()
    return render(
        request,
        "ballots/ballot_results.html",
        {
            "ballot": ballot,
            "results": selectors.question_results(ballot),
            "turnout": selectors.turnout(ballot),
            "bundle_sha256": bundle.sha256 if bundle else "",
        },
    )


def ballot_bundle(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    bundle = BallotBundle.objects.filter(ballot=ballot).first()
    if ballot.state != BallotState.PUBLISHED or bundle is None:
        raise Http404("The bundle is published when the ballot closes.")
    response = HttpResponse(bytes(bundle.data), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-bundle.zip"'
    return response


def _ballot_organised(request: HttpRequest, ballot_id: int) -> Ballot:
    """The ballot, for a member who organises it; to anyone else it does not exist."""
    ballot = selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=request.user)
    if not selectors.member_may_organise(member=request_member(request), ballot_group=ballot.group):
        raise Http404("No such ballot")
    return ballot


@mfa_required
@require_POST
def ballot_close(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = _ballot_organised(request, ballot_id)
    try:
        services.ballot_close(ballot=ballot, actor=request_member(request))
    except services.BallotError as error:
        messages.error(request, str(error))
        return redirect(ballot)
    messages.success(request, "The ballot is closed and the results are published.")
    return redirect("ballots:results", ballot_id=ballot.pk)


QUESTION_SLOTS = 3


@mfa_required
def ballot_create(request: HttpRequest) -> HttpResponse:
    """A new ballot for a group the member organises (``?group=<slug>``), or for the whole
    network (staff only), with up to three questions."""
    slug = request.GET.get("group", "")
    group = get_object_or_404(Group, slug=slug) if slug else None
    if not selectors.member_may_organise(member=request_member(request), ballot_group=group):
        raise Http404("No such group")
    data = request.POST or None
    form = BallotForm(data, initial={"electorate": "members"})
    questions = [
        QuestionForm(data, prefix=f"q{n}", initial={"method": "yesno", "threshold": "simple"})
        for n in range(1, QUESTION_SLOTS + 1)
    ]
    if request.method == "POST" and form.is_valid() and all(q.is_valid() for q in questions):
        given = [q.question_input() for q in questions]
        try:
            ballot = services.ballot_create(
                creator=request_member(request),
                group=group,
                questions=[q for q in given if q is not None],
                **form.cleaned_data,
            )
        except services.BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The ballot has been created as a draft.")
            return redirect(ballot)
    return render(
        request,
        "ballots/ballot_form.html",
        {"form": form, "questions": questions, "group": group},
        status=400 if request.method == "POST" else 200,
    )


@mfa_required
@require_POST
def ballot_open(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = _ballot_organised(request, ballot_id)
    try:
        services.ballot_open(ballot=ballot)
    except services.BallotError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Voting is open. The roll is frozen.")
    return redirect(ballot)
