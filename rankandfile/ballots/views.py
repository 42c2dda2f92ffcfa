from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.ballots import nominations, selectors, services
from rankandfile.ballots.forms import (
    BallotForm,
    QuestionForm,
    ReceiptLookupForm,
    VoteForm,
    question_rows_as_sent,
    question_rows_count,
    question_rows_of,
)
from rankandfile.ballots.models import (
    Ballot,
    BallotBundle,
    BallotState,
    Electorate,
    Method,
    Nomination,
    NominationPeriod,
    Threshold,
)
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import groups_organised_by
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only


@login_required
def ballot_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    organised = groups_organised_by(member).order_by("name")
    return render(
        request,
        "ballots/ballot_list.html",
        {
            "ballots": selectors.ballots_for_member(member),
            "drafts": selectors.drafts_organised_by(member, organised),
            "nomination_periods": nominations.periods_for_member(member),
            "organised": organised,
        },
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
            **_nominated_candidates(ballot),
        },
    )


def _nominated_candidates(ballot: Ballot) -> dict[str, object]:
    """A ballot made from nominations shows each candidate's statement, in ballot order."""
    period = NominationPeriod.objects.filter(ballot=ballot).first()
    if period is None:
        return {}
    candidates = (
        Nomination.objects.filter(period=period, ballot_position__isnull=False)
        .select_related("nominee")
        .order_by("ballot_position")
    )
    return {"nomination_period": period, "candidates": candidates}


@login_required
def ballot_vote(request: HttpRequest, ballot_id: int) -> HttpResponse:
    member = request_member(request)
    if request.method == "POST":
        return _vote_sent(request, ballot_id, member)
    ballot, has_voted = selectors.ballot_get_for_voter(ballot_id=ballot_id, voter=member)
    if ballot.state != BallotState.OPEN or has_voted is None or has_voted:
        return redirect(ballot)
    form = VoteForm(questions=selectors.paper_questions(ballot))
    return render(request, "ballots/ballot_vote.html", {"ballot": ballot, "form": form})


def _vote_sent(request: HttpRequest, ballot_id: int, member: User) -> HttpResponse:
    """A vote sent from the voting page. Every vote of a network-wide ballot comes here at
    once, so the ballot is a copy a second or two old and the voter's roll entry is not read
    first: the cast checks both under its lock, and says why it refused (not open, not on the
    roll, already voted)."""
    ballot = selectors.ballot_open_for_vote(ballot_id=ballot_id, voter=member)
    if ballot is None:  # not open: its page says so (or there is no such ballot: 404)
        return redirect(selectors.ballot_get_for_viewer(ballot_id=ballot_id, viewer=member))
    form = VoteForm(request.POST, questions=selectors.paper_questions(ballot))
    if rate_limited(request, action="vote", member=member):
        form.add_error(None, RATE_LIMITED)  # the page shows the answers as they were sent
        return render(
            request, "ballots/ballot_vote.html", {"ballot": ballot, "form": form}, status=429
        )
    receipt_refused = False
    if form.is_valid():
        try:
            services.ballot_cast(
                ballot=ballot,
                member=member,
                receipt_hash=form.cleaned_data["receipt_hash"],
                answers=form.cleaned_data["answers"],
            )
        except services.ReceiptError as error:
            # The page (ballot.js) makes a new code and tells the voter it has changed.
            form.add_error(None, str(error))
            receipt_refused = True
        except services.InvalidAnswersError as error:
            form.add_error(None, str(error))
        except services.BallotError as error:
            messages.error(request, str(error))
            return redirect(ballot)
        else:
            return redirect("ballots:voted", ballot_id=ballot.pk)
    # The vote page sends the ballot itself and reads a problem from the page it gets back
    # (ballot.js, which marks its requests); a 400 there would only be logged by the browser
    # as a failed load.
    in_place = request.headers.get("X-Ballot-In-Place") == "1"
    return render(
        request,
        "ballots/ballot_vote.html",
        {"ballot": ballot, "form": form, "receipt_refused": receipt_refused},
        status=200 if in_place else 400,
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


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def _confirm(
    request: HttpRequest,
    ballot: Ballot,
    *,
    title: str,
    consequences: list[str],
    action: str,
    confirm_label: str,
    danger: bool = False,
) -> HttpResponse:
    """The confirmation page of an action on ``ballot``; its form posts ``confirmed=yes``."""
    return confirm_page(
        request,
        title=title,
        consequences=consequences,
        action_url=reverse(action, kwargs={"ballot_id": ballot.pk}),
        confirm_label=confirm_label,
        cancel_url=ballot.get_absolute_url(),
        danger=danger,
    )


@mfa_required
@post_only("ballots:detail")
def ballot_open(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = _ballot_organised(request, ballot_id)
    if ballot.state != BallotState.DRAFT:
        messages.error(request, "This ballot has already been opened.")
        return redirect(ballot)
    if not confirmed(request):
        electorate = services.electorate_members(ballot).count()
        who = f"the members of {ballot.group.name}" if ballot.group else "every member"
        if ballot.electorate == Electorate.MEMBERS_WITH_MFA:
            who += " who have set up two-factor authentication"
        consequences = [
            f"The roll is made now from {who}: {electorate} "
            f"{'person' if electorate == 1 else 'people'} will be on it. It is then frozen: "
            "nobody can be added to it or taken off it.",
            "Everyone on the roll gets an email saying that voting is open.",
            f"Voting closes {_when(ballot.closes_at)}.",
            "The questions can no longer be changed, and the ballot can no longer be deleted.",
        ]
        if ballot.opens_at > timezone.now():
            consequences.insert(0, f"Voting opens now, not at {_when(ballot.opens_at)}.")
        return _confirm(
            request,
            ballot,
            title=f"Open voting on “{ballot.title}” now?",
            consequences=consequences,
            action="ballots:open",
            confirm_label="Open voting",
        )
    try:
        services.ballot_open(ballot=ballot)
    except services.BallotError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Voting is open. The roll is frozen.")
    return redirect(ballot)


@mfa_required
@post_only("ballots:detail")
def ballot_close(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = _ballot_organised(request, ballot_id)
    if ballot.state != BallotState.OPEN:
        messages.error(request, "Only an open ballot can be closed.")
        return redirect(ballot)
    if not ballot.closes_early_allowed and timezone.now() < ballot.closes_at:
        messages.error(request, "This ballot cannot be closed early.")
        return redirect(ballot)
    if not confirmed(request):
        voted, roll = selectors.roll_turnout(ballot)
        return _confirm(
            request,
            ballot,
            title=f"Close voting on “{ballot.title}” now and count?",
            consequences=[
                f"{voted} of {roll} {'member' if roll == 1 else 'members'} on the roll "
                f"{'has' if voted == 1 else 'have'} voted.",
                f"Voting ends now instead of at {_when(ballot.closes_at)}: nobody else can vote.",
                "The ballots are counted at once and the results published to everyone who can "
                "see this ballot. This cannot be undone.",
            ],
            action="ballots:close",
            confirm_label="Close voting and count",
            danger=True,
        )
    try:
        services.ballot_close(ballot=ballot, actor=request_member(request))
    except services.BallotError as error:
        messages.error(request, str(error))
        return redirect(ballot)
    messages.success(request, "The ballot is closed and the results are published.")
    return redirect("ballots:results", ballot_id=ballot.pk)


@mfa_required
@post_only("ballots:detail")
def ballot_delete(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = _ballot_organised(request, ballot_id)
    if ballot.state != BallotState.DRAFT:
        messages.error(request, "Voting has opened: the ballot can no longer be deleted.")
        return redirect(ballot)
    if not confirmed(request):
        return _confirm(
            request,
            ballot,
            title=f"Delete the draft “{ballot.title}”?",
            consequences=[
                "The draft and all its questions are deleted. This cannot be undone.",
                "Nobody has been sent anything about it: voting never opened.",
            ],
            action="ballots:delete",
            confirm_label="Delete the draft",
            danger=True,
        )
    try:
        services.ballot_delete(ballot=ballot, actor=request_member(request))
    except services.BallotError as error:
        messages.error(request, str(error))
        return redirect(ballot)
    messages.success(request, f"The draft “{ballot.title}” has been deleted.")
    return redirect("ballots:list")


NEW_QUESTION = {"method": Method.YESNO, "threshold": Threshold.SIMPLE, "seats": 1, "quorum": 0}


def _question_forms(rows: list[dict[str, object]]) -> list[QuestionForm]:
    return [
        QuestionForm(prefix=f"q{n}", initial={**NEW_QUESTION, **row})
        for n, row in enumerate(rows, 1)
    ]


def _ballot_form_page(
    request: HttpRequest, *, group: Group | None, ballot: Ballot | None = None
) -> HttpResponse:
    """The page that writes a draft ballot, new (``ballot`` None) or edited.

    Its questions are rows ``q1``, ``q2``…, so it works without JavaScript: "Add a question" is a
    submit button that shows the page again with one more row and what was typed kept (saving
    nothing), and a row ticked "Remove this question" is left out.
    """
    data = request.POST if request.method == "POST" else None
    status = 200
    if data is not None and "add_question" in data:
        rows = question_rows_as_sent(data, question_rows_count(data))
        added = len(rows) < services.MAX_QUESTIONS
        if added:
            rows.append({})
        form = BallotForm(initial={name: data.get(name, "") for name in BallotForm.base_fields})
        questions = _question_forms(rows)
        if added:  # the member goes on typing in the new row
            questions[-1].fields["text"].widget.attrs["autofocus"] = True
    elif data is not None:
        form = BallotForm(data)
        sent = [QuestionForm(data, prefix=f"q{n}") for n in range(1, question_rows_count(data) + 1)]
        questions = [q for q in sent if not q.marked_removed()]
        if form.is_valid() and all(q.is_valid() for q in questions):
            given = [q.question_input() for q in questions]
            fields = {**form.cleaned_data, "questions": [q for q in given if q is not None]}
            member = request_member(request)
            try:
                if ballot is None:
                    saved = services.ballot_create(creator=member, group=group, **fields)
                else:
                    saved = services.ballot_update(ballot=ballot, actor=member, **fields)
            except services.BallotError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    "The draft has been saved."
                    if ballot
                    else "The ballot has been created as a draft.",
                )
                return redirect(saved)
        status = 400
    elif ballot is not None:
        form = BallotForm(
            initial={
                "title": ballot.title,
                "description": ballot.description,
                "opens_at": ballot.opens_at,
                "closes_at": ballot.closes_at,
                "electorate": ballot.electorate,
            }
        )
        questions = _question_forms(
            question_rows_of(list(ballot.questions.prefetch_related("choices")))
        )
    else:
        form = BallotForm(initial={"electorate": "members"})
        questions = _question_forms([{}])
    questions = questions or _question_forms([{}])  # every row removed: a fresh one to fill
    return render(
        request,
        "ballots/ballot_form.html",
        {
            "form": form,
            "questions": questions,
            "group": group,
            "ballot": ballot,
            "may_add": len(questions) < services.MAX_QUESTIONS,
        },
        status=status,
    )


@mfa_required
def ballot_create(request: HttpRequest) -> HttpResponse:
    """A new ballot for a group the member organises (``?group=<slug>``), or for the whole
    network (staff only)."""
    slug = request.GET.get("group", "")
    group = get_object_or_404(Group, slug=slug) if slug else None
    if not selectors.member_may_organise(member=request_member(request), ballot_group=group):
        raise Http404("No such group")
    return _ballot_form_page(request, group=group)


@mfa_required
def ballot_update(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """Edit a draft ballot; once voting has opened, its page says why it cannot be edited."""
    ballot = _ballot_organised(request, ballot_id)
    if ballot.state != BallotState.DRAFT:
        messages.error(request, "Voting has opened: the ballot can no longer be changed.")
        return redirect(ballot)
    return _ballot_form_page(request, group=ballot.group, ballot=ballot)


@mfa_required
def ballot_preview(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """The vote page as voters will see it, for its organisers; it cannot be submitted."""
    ballot = _ballot_organised(request, ballot_id)
    questions = selectors.paper_questions(ballot)
    return render(
        request,
        "ballots/ballot_vote.html",
        {"ballot": ballot, "form": VoteForm(questions=questions), "preview": True},
    )
