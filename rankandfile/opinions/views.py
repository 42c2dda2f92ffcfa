"""Pages of conversations: the list, starting one, taking part and the organisers' pages (the
opinion map's pages are in map_views.py).

Taking part happens on the conversation's page: a card shows one statement at a time with
Agree, Disagree and Pass. Each is a plain form that posts and comes back; with htmx the card
alone is swapped (the ``vote_card`` partial) and the page's live region says the vote was
recorded, while site.js moves the focus to the new statement so a keyboard user goes on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from rankandfile.accounts.decorators import (
    mfa_required,
    request_member,
    second_factor_detour,
)
from rankandfile.accounts.models import User
from rankandfile.accounts.rate_limits import RATE_LIMITED, rate_limited
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import groups_organised_by
from rankandfile.lib.confirm import confirm_page, confirmed
from rankandfile.lib.http import post_only
from rankandfile.lib.paging import page_of, query_without_page
from rankandfile.opinions import selectors, services
from rankandfile.opinions.exports import conversation_export_zip
from rankandfile.opinions.forms import (
    ConversationForm,
    ModerateForm,
    SettingsForm,
    StatementForm,
    VoteForm,
)
from rankandfile.opinions.models import (
    MAP_VOTES_LEAST,
    Conversation,
    Moderation,
    VoteValue,
)

VOTE_WORDS = {VoteValue.AGREE: "agreed", VoteValue.DISAGREE: "disagreed", VoteValue.PASS: "passed"}


def conversation_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.conversation_rows_for_viewer(request.user))
    organised: list[Group] = []
    if isinstance(request.user, User):
        organised = list(groups_organised_by(request.user).order_by("name"))
    return render(
        request,
        "opinions/conversation_list.html",
        {
            "page_obj": page,
            "conversations": page.object_list,
            "query_without_page": query_without_page(request),
            "organised": organised,
            "may_start_network": isinstance(request.user, User) and request.user.is_staff,
        },
    )


@mfa_required
def conversation_create(request: HttpRequest) -> HttpResponse:
    """A new conversation for a group the member organises (``?group=<slug>``), or for the
    whole network (staff only)."""
    member = request_member(request)
    slug = request.GET.get("group", "")
    group = get_object_or_404(Group, slug=slug) if slug else None
    if not services.member_may_organise(member=member, group=group):
        raise Http404("No such group")
    form = ConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.conversation_create(
                organiser=member,
                group=group,
                question=data["question"],
                description=data["description"],
                seed_statements=form.seeds(),
                closes_at=data["closes_at"],
                moderation=data["moderation"],
            )
        except services.OpinionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The conversation is open.")
            return redirect(conversation)
    return render(
        request,
        "opinions/conversation_form.html",
        {"form": form, "group": group},
        status=400 if request.method == "POST" else 200,
    )


def _vote_card(conversation: Conversation, viewer: User | Any) -> dict[str, Any]:
    """What the vote card shows: the next statement and how far the member has come."""
    votes: dict[int, int] = {}
    statement = None
    if isinstance(viewer, User) and conversation.is_open:
        votes = services.votes_of(conversation=conversation, member=viewer)
        statement = services.next_statement_for(conversation=conversation, member=viewer)
    votable = list(selectors.statements_votable(conversation).values_list("pk", flat=True))
    voted = sum(1 for pk in votable if pk in votes)
    own_votes = []
    if votes:
        rows = selectors.statements_votable(conversation).filter(pk__in=votes)
        own_votes = [(s, votes[s.pk], VOTE_WORDS[VoteValue(votes[s.pk])]) for s in rows]
    return {
        "own_votes": own_votes,
        "statement": statement,
        "votes": votes,
        "voted_count": voted,
        "votable_count": len(votable),
        "map_votes_left": max(MAP_VOTES_LEAST - len(votes), 0),
        "map_visible": selectors.map_visible_to(
            conversation=conversation, viewer=viewer, votes_cast=len(votes)
        ),
        "vote_choices": [
            (VoteValue.AGREE, "Agree"),
            (VoteValue.DISAGREE, "Disagree"),
            (VoteValue.PASS, "Pass"),
        ],
    }


def _detail_page(
    request: HttpRequest,
    conversation: Conversation,
    *,
    statement_form: StatementForm | None = None,
) -> HttpResponse:
    viewer = request.user
    takes_part = isinstance(viewer, User) and services.member_may_take_part(
        member=viewer, conversation=conversation
    )
    may_organise = isinstance(viewer, User) and services.member_may_organise(
        member=viewer, group=conversation.group
    )
    card = _vote_card(conversation, viewer)
    return render(
        request,
        "opinions/conversation_detail.html",
        {
            "conversation": conversation,
            "takes_part": takes_part and conversation.is_open,
            "needs_to_join": isinstance(viewer, User) and not takes_part,
            "may_organise": may_organise,
            "statements": selectors.statements_votable(conversation),
            "statement_form": statement_form or StatementForm(),
            "shown_at_once": conversation.moderation == Moderation.ACCEPTED_UNLESS_REJECTED,
            "pending_count": conversation.statements.filter(status="pending").count()
            if may_organise
            else 0,
            **card,
        },
    )


def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=request.user
    )
    return _detail_page(request, conversation)


@login_required
@post_only("opinions:detail")
def vote(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Agree, disagree or pass on one statement; from the card, or changed in "Your votes"."""
    member = request_member(request)
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=member
    )
    form = VoteForm(request.POST)
    problem = ""
    if rate_limited(request, action="opinion", member=member):
        problem = RATE_LIMITED
    elif not form.is_valid():
        problem = VoteForm.not_understood
    else:
        statement = conversation.statements.filter(pk=form.cleaned_data["statement"]).first()
        try:
            if statement is None:
                raise services.OpinionError("That statement is not open for votes.")
            services.vote_cast(
                conversation=conversation,
                statement=statement,
                member=member,
                value=form.cleaned_data["value"],
            )
        except services.OpinionError as error:
            problem = str(error)
    if request.headers.get("HX-Request"):
        return _vote_card_response(request, conversation, member, problem)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, "Vote recorded.")
    anchor = "#your-votes" if request.POST.get("from") == "your-votes" else "#vote-card"
    return redirect(conversation.get_absolute_url() + anchor)


def _vote_card_response(
    request: HttpRequest, conversation: Conversation, member: User, problem: str
) -> HttpResponse:
    """The new card, and out of band the live region's words (announced politely)."""
    card = _vote_card(conversation, member)
    template = "opinions/conversation_detail.html"
    context = {"conversation": conversation, "takes_part": True, "problem": problem, **card}
    if problem:
        said = problem
    else:
        said = f"Vote recorded. You have voted on {card['voted_count']} of {card['votable_count']}."
    html = render_to_string(f"{template}#vote_card", context, request)
    html += render_to_string(f"{template}#own_votes", {**context, "oob": True}, request)
    html += render_to_string(f"{template}#vote_status", {"said": said, "oob": True}, request)
    return HttpResponse(html)


@login_required
@post_only("opinions:detail")
def statement_write(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = request_member(request)
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=member
    )
    form = StatementForm(request.POST)
    if rate_limited(request, action="opinion", member=member):
        form.add_error(None, RATE_LIMITED)
    elif form.is_valid():
        try:
            statement = services.statement_submit(
                conversation=conversation, member=member, text=form.cleaned_data["text"]
            )
        except services.OpinionError as error:
            form.add_error("text", str(error))
        else:
            if statement.status == "accepted":
                messages.success(request, "Your statement is in the conversation. Thank you.")
            else:
                messages.success(
                    request,
                    "Thank you. Your statement will be shown once an organiser accepts it.",
                )
            return redirect(conversation.get_absolute_url() + "#write-title")
    # 200, as the pledge form does: a browser logs a 400 page as a failed load.
    return _detail_page(request, conversation, statement_form=form)


# Organisers' pages -------------------------------------------------------------------------


def _organised(request: HttpRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_organiser(
        conversation_id=conversation_id, organiser=request_member(request)
    )


@mfa_required
def moderate(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _organised(request, conversation_id)
    page = page_of(request, selectors.statements_for_moderation(conversation))
    return render(
        request,
        "opinions/conversation_moderate.html",
        {
            "conversation": conversation,
            "page_obj": page,
            "statements": page.object_list,
            "query_without_page": query_without_page(request),
            "back": request.GET.urlencode(),
            "pending_count": conversation.statements.filter(status="pending").count(),
        },
    )


@mfa_required
@post_only("opinions:moderate", conversation_id="conversation_id")
def moderate_statement(
    request: HttpRequest, conversation_id: int, statement_id: int
) -> HttpResponse:
    conversation = _organised(request, conversation_id)
    statement = get_object_or_404(conversation.statements, pk=statement_id)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, ModerateForm.not_understood)
    else:
        try:
            services.statement_moderate(
                statement=statement,
                organiser=request_member(request),
                status=form.cleaned_data["status"],
            )
        except services.OpinionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Statement {statement.number}: {statement.get_status_display()}."
            )
    url = reverse("opinions:moderate", kwargs={"conversation_id": conversation.pk})
    back = request.POST.get("back", "")
    return redirect(f"{url}?{back}#statement-{statement.pk}" if back else url)


@mfa_required
def conversation_settings(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _organised(request, conversation_id)
    initial = {
        "moderation": conversation.moderation,
        "closes_at": conversation.closes_at,
        "map_published": conversation.map_published,
    }
    form = SettingsForm(request.POST or None, initial=initial, is_open=conversation.is_open)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_settings_update(
                conversation=conversation,
                organiser=request_member(request),
                moderation=form.cleaned_data["moderation"],
                closes_at=form.cleaned_data.get("closes_at", conversation.closes_at),
                map_published=form.cleaned_data["map_published"],
            )
        except services.OpinionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The settings have been saved.")
            return redirect(conversation)
    return render(
        request,
        "opinions/conversation_settings.html",
        {"conversation": conversation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@mfa_required
@post_only("opinions:detail")
def conversation_close(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _organised(request, conversation_id)
    if not conversation.is_open:
        messages.error(request, "The conversation is already closed.")
        return redirect(conversation)
    if not confirmed(request):
        participants = conversation.participants.count()
        consequences = [
            f"{participants} {'member has' if participants == 1 else 'members have'} voted so "
            "far. Nobody can vote or write a statement after the close.",
            "Which votes are whose is forgotten: members can no longer see or change their own "
            "votes. This cannot be undone.",
            "The map is computed once more from every vote.",
        ]
        if conversation.closes_at:
            when = formats.date_format(timezone.localtime(conversation.closes_at), "j F Y, H:i")
            consequences.insert(0, f"It closes now instead of at {when}.")
        if not conversation.map_published:
            consequences.append(
                "The map stays with organisers unless you publish it in the settings."
            )
        return confirm_page(
            request,
            title=f"Close “{conversation.question}” now?",
            consequences=consequences,
            action_url=reverse("opinions:close", kwargs={"conversation_id": conversation.pk}),
            confirm_label="Close the conversation",
            cancel_url=conversation.get_absolute_url(),
            danger=True,
        )
    try:
        services.conversation_close(conversation=conversation, organiser=request_member(request))
    except services.OpinionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The conversation is closed.")
    return redirect(conversation)


def conversation_export(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation's votes as a Polis open-data export (a zip; see exports.py), once it has
    closed: for its organisers (second factor used), and for everyone who can see it if its map
    is published. Never while it is open: comparing two downloads, before and after a member
    one watched vote, would show that member's participant number and every vote of theirs."""
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=request.user
    )
    if conversation.is_open:
        raise Http404("The export opens when the conversation closes.")
    public = selectors.export_public(conversation)
    if not public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.member_may_organise(
            member=request_member(request), group=conversation.group
        ):
            raise Http404("No such conversation")
        detour = second_factor_detour(request, next_url=request.get_full_path())
        if detour is not None:
            return detour
    response = HttpResponse(conversation_export_zip(conversation), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.pk}-polis.zip"'
    )
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response
