"""Pages of proposals: a group's list, drafts, the proposal page (text, support, history,
amendments, comments), and the organisers' list of reported comments.

Every page is for the group's members only (a 404 for anyone else); every write goes through
``services`` or ``comments``, whose refusals come back to the member as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from rankandfile.accounts.decorators import mfa_required, request_member
from rankandfile.groups.models import Group
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only
from rankandfile.lib.markdown import markdown_render
from rankandfile.lib.paging import page_of
from rankandfile.lib.prefill import prefill_forget, prefill_initial
from rankandfile.proposals import balloting, comments, selectors, services
from rankandfile.proposals.forms import (
    AmendmentForm,
    CommentForm,
    ProposalForm,
    ProposalSettingsForm,
    SupportForm,
)
from rankandfile.proposals.models import (
    Amendment,
    Comment,
    Proposal,
    ProposalState,
    ProposalVersion,
)
from rankandfile.proposals.passages import word_diff

COMMENTS_PER_PAGE = 50


def _group_for_member(request: HttpRequest, group_slug: str) -> Group:
    group = get_object_or_404(Group, slug=group_slug)
    if not selectors.member_of_group(member=request.user, group_id=group.pk):
        raise Http404("No such group")
    return group


@login_required
def proposal_list(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = _group_for_member(request, group_slug)
    proposals = selectors.proposals_for_member(group=group, member=request.user)
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "group": group,
            "page_obj": page_of(request, proposals),
            "may_organise": selectors.member_may_organise(member=request.user, group=group),
        },
    )


def _draft_form_page(
    request: HttpRequest, *, group: Group, proposal: Proposal | None
) -> HttpResponse:
    if proposal is not None:
        initial = {"title": proposal.title, "text": proposal.text}
    else:
        initial = prefill_initial(request, form="proposals:new", owner=group.pk)
    form = ProposalForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        member = request_member(request)
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                preview = markdown_render(services.proposal_text_clean(data["text"]))
            elif proposal is None:
                proposal = services.proposal_draft_create(
                    proposer=member, group=group, title=data["title"], text=data["text"]
                )
                prefill_forget(request, form="proposals:new")
                messages.success(request, "Your draft is saved. Only you can see it.")
                return redirect(proposal)
            else:
                services.proposal_draft_update(
                    proposal=proposal, proposer=member, title=data["title"], text=data["text"]
                )
                messages.success(request, "Your draft is saved.")
                return redirect(proposal)
        except services.ProposalError as error:
            form.add_error("title" if "title" in str(error) else "text", str(error))
    return render(
        request,
        "proposals/proposal_form.html",
        {"group": group, "proposal": proposal, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@login_required
def proposal_new(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = _group_for_member(request, group_slug)
    return _draft_form_page(request, group=group, proposal=None)


@login_required
def proposal_edit(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    if proposal.state != ProposalState.DRAFT:
        messages.info(request, "The proposal is open: its text changes only by amendments.")
        return redirect(proposal)
    return _draft_form_page(request, group=proposal.group, proposal=proposal)


def _versions_with_diffs(proposal: Proposal) -> list[dict[str, Any]]:
    versions = list(proposal.versions.select_related("amendment").order_by("number"))
    rows: list[dict[str, Any]] = []
    previous: ProposalVersion | None = None
    for version in versions:
        diff = word_diff(previous.text, version.text) if previous else None
        rows.append({"version": version, "diff": diff})
        previous = version
    return rows[::-1]


def _support_context(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    now = timezone.now()
    return {
        "proposal": proposal,
        "support_count": selectors.support_count(proposal),
        "supported": selectors.supports_proposal(proposal=proposal, member=request.user),
        "support_open": proposal.in_discussion
        and proposal.support_deadline is not None
        and now < proposal.support_deadline,
    }


@login_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    member = request_member(request)
    amendments = selectors.amendments_for_page(proposal=proposal, viewer=member)
    page_obj = page_of(request, selectors.comments_top_level(proposal), per_page=COMMENTS_PER_PAGE)
    return render(
        request,
        "proposals/proposal_detail.html",
        {
            **_support_context(request, proposal),
            "is_proposer": proposal.proposer_id == member.pk,
            "may_organise": selectors.member_may_organise(member=member, group=proposal.group),
            "versions": _versions_with_diffs(proposal),
            "amendments": amendments,
            "page_obj": page_obj,
            "comment_form": CommentForm(),
            "editable_since": timezone.now() - comments.EDIT_WINDOW,
            "commentable": proposal.state in comments.COMMENTABLE,
        },
    )


@login_required
@post_only("proposals:detail")
def proposal_open(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    if not confirmed(request):
        return confirm_page(
            request,
            title="Open the proposal for discussion?",
            consequences=[
                "Every member of the group can read it, comment, support it and propose "
                "amendments.",
                "Its text then changes only by amendments you accept.",
            ],
            action_url=reverse("proposals:open", kwargs={"proposal_id": proposal.pk}),
            confirm_label="Open for discussion",
            cancel_url=proposal.get_absolute_url(),
        )
    try:
        services.proposal_open(proposal=proposal, proposer=request_member(request))
    except services.ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The proposal is open for discussion and support.")
    return redirect(proposal)


@login_required
@post_only("proposals:detail")
def proposal_support(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    form = SupportForm(request.POST)
    error = None
    if not form.is_valid():
        error = SupportForm.not_understood
    else:
        act = services.proposal_support
        if form.cleaned_data["support"] == "no":
            act = services.proposal_unsupport
        try:
            act(proposal=proposal, member=request_member(request))
        except services.ProposalError as refused:
            error = str(refused)
    if request.headers.get("HX-Request"):
        context = _support_context(request, proposal) | {"support_error": error}
        return render(request, "proposals/includes/support.html", context)
    if error:
        messages.error(request, error)
    return redirect(proposal)


@login_required
@post_only("proposals:detail")
def comment_create(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment of at most 5,000 characters.")
        return redirect(proposal)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], proposal=proposal).first()
    try:
        comment = comments.comment_create(
            proposal=proposal,
            author=request_member(request),
            text=form.cleaned_data["text"],
            parent=parent,
        )
    except comments.CommentError as error:
        messages.error(request, str(error))
        return redirect(proposal)
    return redirect("proposals:comment", comment_id=comment.pk)


def _comment_for_member(request: HttpRequest, comment_id: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("proposal__group"), pk=comment_id)
    selectors.proposal_get_for_viewer(proposal_id=comment.proposal_id, viewer=request.user)
    return comment


@login_required
def comment_show(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The comment in its place: the page of the proposal's comments that holds its thread."""
    comment = _comment_for_member(request, comment_id)
    page = selectors.comment_page_number(comment, per_page=COMMENTS_PER_PAGE)
    return redirect(f"{comment.proposal.get_absolute_url()}?page={page}#comment-{comment.pk}")


@login_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_member(request, comment_id)
    if comment.author_id != request.user.pk or comment.deleted:
        raise Http404("No such comment of yours")
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            comments.comment_edit(
                comment=comment, author=request_member(request), text=form.cleaned_data["text"]
            )
        except comments.CommentError as error:
            form.add_error("text", str(error))
        else:
            return redirect("proposals:comment", comment_id=comment.pk)
    return render(
        request,
        "proposals/comment_edit.html",
        {"comment": comment, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@post_only("proposals:comment")
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_member(request, comment_id)
    if not confirmed(request):
        return confirm_page(
            request,
            title="Delete the comment?",
            consequences=["Its text is removed for good; replies to it stay."],
            action_url=reverse("proposals:comment_delete", kwargs={"comment_id": comment.pk}),
            confirm_label="Delete the comment",
            cancel_url=reverse("proposals:comment", kwargs={"comment_id": comment.pk}),
            danger=True,
        )
    try:
        comments.comment_delete(comment=comment, actor=request_member(request))
    except comments.CommentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The comment is deleted.")
    if request.POST.get("back_to") == "reported":
        return redirect("proposals:reported", group_slug=comment.proposal.group.slug)
    return redirect(comment.proposal)


@login_required
@post_only("proposals:comment")
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_member(request, comment_id)
    try:
        reported = comments.comment_report(comment=comment, reporter=request_member(request))
    except comments.CommentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Thank you: the group's organisers will look at it."
            if reported
            else "You have reported this comment already.",
        )
    return redirect("proposals:comment", comment_id=comment.pk)


@login_required
def amendment_new(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    if not proposal.in_discussion:
        messages.info(request, "Amendments can be proposed only while it is discussed.")
        return redirect(proposal)
    form = AmendmentForm(request.POST or None, initial={"proposed_text": proposal.text})
    diff = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                diff = word_diff(proposal.text, services.proposal_text_clean(data["proposed_text"]))
            else:
                amendment = services.amendment_propose(
                    proposal=proposal,
                    author=request_member(request),
                    proposed_text=data["proposed_text"],
                    reason=data["reason"],
                )
                messages.success(request, f"Amendment {amendment.number} is proposed.")
                return redirect("proposals:amendment", amendment_id=amendment.pk)
        except services.ProposalError as error:
            form.add_error("proposed_text", str(error))
    return render(
        request,
        "proposals/amendment_form.html",
        {"proposal": proposal, "form": form, "diff": diff},
        status=400 if form.errors else 200,
    )


def _amendment_for_member(request: HttpRequest, amendment_id: int) -> Amendment:
    amendment = get_object_or_404(Amendment.objects.select_related("proposal"), pk=amendment_id)
    selectors.proposal_get_for_viewer(proposal_id=amendment.proposal_id, viewer=request.user)
    return amendment


@login_required
def amendment_show(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = _amendment_for_member(request, amendment_id)
    return redirect(f"{amendment.proposal.get_absolute_url()}#amendment-{amendment.number}")


@login_required
@post_only("proposals:amendment")
def amendment_decide(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = _amendment_for_member(request, amendment_id)
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            version = services.amendment_accept(
                amendment=amendment, proposer=request_member(request)
            )
            messages.success(
                request,
                f"Amendment {amendment.number} is accepted: this is version "
                f"{version.number} of the text.",
            )
        elif decision == "reject":
            services.amendment_reject(amendment=amendment, proposer=request_member(request))
            messages.success(
                request,
                f"Amendment {amendment.number} is rejected. With enough supporters "
                "it still goes to the ballot as its own question.",
            )
        else:
            messages.error(request, SupportForm.not_understood)
    except services.ProposalError as error:
        messages.error(request, str(error))
    return redirect("proposals:amendment", amendment_id=amendment.pk)


@login_required
@post_only("proposals:amendment")
def amendment_support(request: HttpRequest, amendment_id: int) -> HttpResponse:
    amendment = _amendment_for_member(request, amendment_id)
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, SupportForm.not_understood)
        return redirect("proposals:amendment", amendment_id=amendment.pk)
    act = services.amendment_support
    if form.cleaned_data["support"] == "no":
        act = services.amendment_unsupport
    try:
        act(amendment=amendment, member=request_member(request))
    except services.ProposalError as error:
        messages.error(request, str(error))
    return redirect("proposals:amendment", amendment_id=amendment.pk)


@mfa_required
@post_only("proposals:detail")
def proposal_send_to_ballot(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_viewer(proposal_id=proposal_id, viewer=request.user)
    if not selectors.member_may_organise(member=request.user, group=proposal.group):
        raise Http404("No such proposal")
    if not confirmed(request):
        return confirm_page(
            request,
            title="Send the proposal to a ballot now?",
            consequences=[
                "Discussion, support and amendments close.",
                "A ballot of every member of the group opens now: one question for each "
                "amendment with enough supporters, then the motion as amended.",
            ],
            action_url=reverse("proposals:send_to_ballot", kwargs={"proposal_id": proposal.pk}),
            confirm_label="Open the ballot",
            cancel_url=proposal.get_absolute_url(),
        )
    try:
        ballot = balloting.proposal_send_to_ballot(proposal=proposal, actor=request_member(request))
    except services.ProposalError as error:
        messages.error(request, str(error))
        return redirect(proposal)
    messages.success(request, "The ballot is open.")
    return redirect(ballot)


@mfa_required
def comments_reported(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=group_slug)
    if not selectors.member_may_organise(member=request.user, group=group):
        raise Http404("No such group")
    return render(
        request,
        "proposals/comments_reported.html",
        {"group": group, "page_obj": page_of(request, selectors.comments_reported(group))},
    )


@mfa_required
def proposal_settings(request: HttpRequest, group_slug: str) -> HttpResponse:
    """The group's rules for proposals opened from now on."""
    group = get_object_or_404(Group, slug=group_slug)
    if not selectors.member_may_organise(member=request.user, group=group):
        raise Http404("No such group")
    rules = selectors.proposal_settings_of(group)
    form = ProposalSettingsForm(
        request.POST or None,
        initial={
            "threshold_kind": rules.threshold_kind,
            "threshold_people": rules.threshold_people,
            "threshold_percent": rules.threshold_percent,
            "support_days": rules.support_days,
            "ballot_days": rules.ballot_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_settings_update(
                organiser=request_member(request), group=group, **form.cleaned_data
            )
        except services.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The rules for proposals are saved.")
            return redirect("proposals:list", group_slug=group.slug)
    return render(
        request,
        "proposals/proposal_settings.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )
