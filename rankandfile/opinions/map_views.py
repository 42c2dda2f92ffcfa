"""The opinion map's pages: the map drawn from the stored result (never computed in a
request), who may see it, and the way from common ground to a draft campaign or proposal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from rankandfile.accounts.decorators import (
    mfa_required,
    request_member,
    second_factor_used,
)
from rankandfile.accounts.models import User
from rankandfile.groups.models import Group
from rankandfile.groups.selectors import groups_organised_by
from rankandfile.lib.http import post_only
from rankandfile.lib.prefill import prefill_store
from rankandfile.lib.urls import absolute_url
from rankandfile.opinions import selectors, services
from rankandfile.opinions.figures import (
    MapFigures,
    StatementFigures,
    campaign_explanation,
    map_figures,
    proposal_text,
    proposal_title,
    statements_needed,
)
from rankandfile.opinions.forms import CommonGroundForm
from rankandfile.opinions.models import (
    MAP_VOTES_LEAST,
    Conversation,
    OpinionMapResult,
    StatementStatus,
)
from rankandfile.opinions.svg import group_name, stored_map_svg


def _figures(conversation: Conversation, result: OpinionMapResult) -> MapFigures:
    """The stored map's figures, naming only accepted statements (one query for their texts)."""
    texts = dict(
        conversation.statements.filter(
            status=StatementStatus.ACCEPTED, number__in=statements_needed(result.data)
        ).values_list("number", "text")
    )
    return map_figures(result.data, texts)


def _organised_groups(conversation: Conversation, organiser: User) -> list[Group] | None:
    """Which groups may run a campaign from this conversation: None when it is the group's own
    (that group runs it), else the groups the organiser organises (for the network's)."""
    if conversation.group is not None:
        return None
    return list(groups_organised_by(organiser).order_by("name"))


def _map_not_shown(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    """Why the map is not shown yet, to a member who takes part; 404 to anyone else."""
    viewer = request.user
    if not isinstance(viewer, User) or not services.member_may_take_part(
        member=viewer, conversation=conversation
    ):
        raise Http404("No such map")
    votes = selectors.votes_cast_by(conversation=conversation, viewer=viewer)
    return render(
        request,
        "opinions/map_not_shown.html",
        {
            "conversation": conversation,
            "votes": votes,
            "votes_least": MAP_VOTES_LEAST,
            "votes_to_go": max(0, MAP_VOTES_LEAST - votes),
        },
    )


def _map_page(
    request: HttpRequest, conversation: Conversation, *, form: CommonGroundForm | None = None
) -> HttpResponse:
    """The map: where the member sits, the groups and what sets each apart, what unites them,
    where they divide, and for organisers the way from common ground to a campaign."""
    viewer = request.user
    if not selectors.map_visible_to(conversation=conversation, viewer=viewer):
        return _map_not_shown(request, conversation)
    result = selectors.map_of(conversation)
    context: dict[str, object] = {
        "conversation": conversation,
        "result": result,
        "votes_least": MAP_VOTES_LEAST,
    }
    if result is None:
        return render(request, "opinions/map.html", context)
    figures = _figures(conversation, result)
    participant = (
        services.participant_of(conversation=conversation, member=viewer)
        if isinstance(viewer, User)
        else None
    )
    groups = result.data["groups"]
    your_group = groups.get(str(participant.number)) if participant else None
    may_organise = isinstance(viewer, User) and services.member_may_organise(
        member=viewer, group=conversation.group
    )
    organised: list[Group] | None = None
    if may_organise and form is None and figures.common_ground:
        assert isinstance(viewer, User)
        organised = _organised_groups(conversation, viewer)
        if organised != []:
            form = CommonGroundForm(common_ground=figures.common_ground, groups=organised)
    svg = stored_map_svg(
        result.data["positions"],
        groups,
        # Square and small, so that on a phone its words stay near their own size; the page
        # scales it up on wider screens.
        width=400,
        height=400,
        highlight_participant=participant.number if participant else None,
        title="Opinion map",
    )
    context |= {
        # Made by svg.py, which escapes every text it writes; no text typed by anyone is in it.
        "svg": mark_safe(svg),
        "figures": figures,
        "took_part": participant is not None,
        "your_group": None if your_group is None else group_name(your_group),
        "may_organise": may_organise,
        # Drafting a campaign is an organiser's act: it needs the second factor in the session.
        "second_factor_used": may_organise and second_factor_used(request),
        "form": form,
        "organises_no_group": organised == [],
    }
    return render(request, "opinions/map.html", context)


def conversation_map(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=request.user
    )
    return _map_page(request, conversation)


@dataclass(frozen=True)
class _CommonGround:
    conversation: Conversation
    group: Group
    chosen: list[StatementFigures]
    participants: int


def _common_ground_chosen(
    request: HttpRequest, conversation_id: int
) -> _CommonGround | HttpResponse:
    """The statements an organiser chose on the map, and the group that takes them up; or the
    page to answer with (the map again, with the form's errors)."""
    organiser = request_member(request)
    conversation = selectors.conversation_get_for_organiser(
        conversation_id=conversation_id, organiser=organiser
    )
    result = selectors.map_of(conversation)
    if result is None:
        messages.error(request, "The map is still being drawn: try again in a few seconds.")
        return redirect("opinions:map", conversation_id=conversation.pk)
    figures = _figures(conversation, result)
    organised = _organised_groups(conversation, organiser)
    form = CommonGroundForm(request.POST, common_ground=figures.common_ground, groups=organised)
    if not form.is_valid():
        return _map_page(request, conversation, form=form)
    group = conversation.group or form.chosen_group()
    assert group is not None  # the form requires one for the network's conversations
    numbers = set(form.cleaned_data["statements"])
    return _CommonGround(
        conversation=conversation,
        group=group,
        chosen=[each for each in figures.common_ground if each.number in numbers],
        participants=result.participants_count,
    )


@mfa_required  # first: a GET (the link on the map) asks for the second factor, then goes back
@post_only("opinions:map")
def map_to_campaign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """From common ground to action: the chosen statements become the demands of a new draft
    campaign, whose explanation links back here with their figures. Nothing is saved until the
    organiser completes the draft form and saves it."""
    ground = _common_ground_chosen(request, conversation_id)
    if isinstance(ground, HttpResponse):
        return ground
    explanation = campaign_explanation(
        question=ground.conversation.question,
        url=absolute_url(ground.conversation.get_absolute_url()),
        chosen=ground.chosen,
        participants=ground.participants,
    )
    url = prefill_store(
        request,
        form="campaigns:new",
        owner=ground.group.pk,
        initial={
            "demands": "\n".join(each.text for each in ground.chosen),
            "explanation": explanation,
        },
        group_slug=ground.group.slug,
    )
    messages.info(
        request,
        "The statements you chose are the demands of a new draft campaign, and its explanation "
        "links back to the conversation. Give it a title and a target, set its stages, and save "
        "it as a draft.",
    )
    return redirect(url)


@mfa_required
@post_only("opinions:map")
def map_to_proposal(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """From common ground to a motion: the chosen statements become the text of a new draft
    proposal of the group, linking back here with their figures. Nothing is saved until the
    organiser saves the draft (a draft is seen only by its proposer)."""
    ground = _common_ground_chosen(request, conversation_id)
    if isinstance(ground, HttpResponse):
        return ground
    text = proposal_text(
        question=ground.conversation.question,
        url=absolute_url(ground.conversation.get_absolute_url()),
        chosen=ground.chosen,
        participants=ground.participants,
    )
    url = prefill_store(
        request,
        form="proposals:new",
        owner=ground.group.pk,
        initial={"title": proposal_title(ground.conversation.question), "text": text},
        group_slug=ground.group.slug,
    )
    messages.info(
        request,
        "The statements you chose are the text of a new draft proposal, which links back to the "
        "conversation. Edit it as you wish and save it as a draft.",
    )
    return redirect(url)
