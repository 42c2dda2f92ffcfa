"""A logged-in member's home page: what needs them now (open ballots not yet voted first, then
action packs, then their pledges with deadlines), their groups, groups near their district and
the open campaigns of their groups. Only ever their own pledges and votes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import ballot_cast, ballot_close, ballot_open
from rankandfile.campaigns.models import Campaign, Stage
from rankandfile.campaigns.services import (
    campaign_create,
    campaign_open,
    pledge_confirm_done,
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from rankandfile.groups.models import Group
from rankandfile.groups.services import group_join
from rankandfile.opinions.services import conversation_create, vote_cast
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import MakeGroup, MakeMember, stage_inputs


def _campaign(group: Group, title: str, *, people: int = 3) -> Campaign:
    organiser = group.memberships.get(role="organiser").member
    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title=title,
        target="the party's national executive",
        explanation="We ask the executive to act.",
        demands=["Act"],
        stages=stage_inputs(people=people),
    )
    return campaign_open(campaign=campaign, organiser=organiser)


def _stage(campaign: Campaign, number: int = 1) -> Stage:
    return campaign.stages.get(number=number)


def _open_ballot(group: Group, title: str) -> Ballot:
    organiser = group.memberships.get(role="organiser").member
    return ballot_open(ballot=ballot_make(organiser=organiser, group=group, title=title))


def _trigger_first_stage(campaign: Campaign) -> Stage:
    """Past the deadline with enough pledges, nobody votes in the verdict (inquorate): the
    demands are unmet, so the stage is triggered and its pledgers get an action pack."""
    stage = _stage(campaign)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None
    ballot_close(ballot=stage.verdict_ballot, actor=None, now=stage.verdict_ballot.closes_at)
    stage_resolve_verdict(stage_id=stage.pk, now=stage.deadline + timedelta(days=8))
    stage.refresh_from_db()
    assert stage.state == "triggered"
    return stage


def _needs_section(html: str) -> str:
    start = html.index('id="needs-title"')
    return html[start : html.index('id="your-groups"')]


@pytest.mark.django_db
def test_anonymous_visitors_keep_the_landing_page(make_group: MakeGroup) -> None:
    make_group(name="Headingley Left")
    response = Client().get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "home.html"
    assert "Join the network" in response.text
    assert "Needs you now" not in response.text


@pytest.mark.django_db
def test_the_member_home_lists_what_needs_them_first_and_only_their_own_pledges(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(display_name="Red Robin", district="LS6")
    other = make_member(district="LS6")
    branch = make_group(name="Headingley Branch", districts=["LS6"])
    group_join(group=branch, member=member)
    group_join(group=branch, member=other)

    ballot = _open_ballot(branch, "Strike ballot")
    voted = _open_ballot(branch, "Already voted ballot")
    answers = {"1": "yes", "2": [1]}
    ballot_cast(ballot=voted, member=member, receipt_hash=receipt_hash(), answers=answers)
    ballot_make(
        organiser=branch.memberships.get(role="organiser").member,
        group=branch,
        title="Draft ballot",
    )
    _open_ballot(make_group(name="Elsewhere"), "Another group's ballot")

    pledged = _campaign(branch, "Publish the report")
    pledge_create(stage=_stage(pledged), member=member, option_keys=["stop-dues"])
    pledge_create(stage=_stage(pledged), member=other, option_keys=["stop-dues"])
    not_pledged = _campaign(branch, "Save the library")
    stranger_group = make_group(name="Far Branch", districts=["M14"])
    theirs = _campaign(stranger_group, "Only the other member pledged here")
    pledge_create(stage=_stage(theirs), member=other, option_keys=["stop-dues"])

    acted = _campaign(branch, "Act together", people=1)
    pledge_create(stage=_stage(acted), member=member, option_keys=["stop-dues"])
    triggered = _trigger_first_stage(acted)

    client = Client()
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "home_member.html"
    context = response.context

    assert context["ballots"] == [ballot]
    assert [p.stage.campaign for p in context["pledges"]] == [pledged]
    assert all(p.member_id == member.pk for p in context["pledges"])
    assert [(a.campaign, a.stage) for a in context["action_packs"]] == [(acted, triggered)]
    assert {row.campaign for row in context["campaign_rows"]} == {pledged, not_pledged, acted}

    needs = _needs_section(response.text)
    vote_link = reverse("ballots:vote", kwargs={"ballot_id": ballot.pk})
    pack_link = reverse(
        "campaigns:action_pack", kwargs={"slug": acted.slug, "number": triggered.number}
    )
    assert needs.index(vote_link) < needs.index(pack_link) < needs.index("Publish the report")
    assert "Already voted ballot" not in response.text
    assert "Draft ballot" not in response.text
    assert "Another group&#x27;s ballot" not in response.text
    assert "Save the library" not in needs  # a campaign of their group, not their pledge
    assert "Only the other member pledged here" not in response.text

    # Once the member has said they acted, the action pack no longer needs them.
    pledge_confirm_done(stage=triggered, member=member)
    response = client.get(reverse("home"))
    assert response.context["action_packs"] == []
    assert pack_link not in _needs_section(response.text)


@pytest.mark.django_db
def test_a_member_who_has_pledged_nowhere_sees_no_pledge_of_anyone_else(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    other = make_member()
    branch = make_group(name="Shared Branch")
    group_join(group=branch, member=member)
    campaign = _campaign(branch, "Publish the report")
    pledge_create(stage=_stage(campaign), member=other, option_keys=["stop-dues"])

    client = Client()
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.context["pledges"] == []
    assert "Your pledge<" not in response.text
    assert "Nothing needs you right now" in response.text


@pytest.mark.django_db
def test_groups_near_the_member_put_their_district_first_and_never_hidden_groups(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(district="LS6")
    mine = make_group(name="Aardvark Branch", districts=["LS6"])
    group_join(group=mine, member=member)
    in_area = make_group(name="Armley Branch", districts=["LS12"], visibility="listed")
    in_district = make_group(name="Headingley Tenants", districts=["LS6", "LS7"])
    make_group(name="Secret Caucus", districts=["LS6"], visibility="hidden")
    make_group(name="Fallowfield Branch", districts=["M14"])

    client = Client()
    client.force_login(member)
    response = client.get(reverse("home"))
    assert response.context["groups_near"] == [in_district, in_area]
    assert "Secret Caucus" not in response.text
    assert "Fallowfield Branch" not in response.text
    assert f'href="{reverse("groups:list")}?place=LS"' in response.text  # the whole area

    User.objects.filter(pk=member.pk).update(postcode_district="")
    response = client.get(reverse("home"))
    assert response.context["groups_near"] == []
    assert "Add your postcode district" in response.text


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_member_home_takes_the_same_few_queries_however_much_it_shows(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member(district="LS6")
    client = Client()
    client.force_login(member)

    def add_one_of_each(n: int) -> None:
        group = make_group(name=f"Branch {n}", districts=["LS6"])
        group_join(group=group, member=member)
        make_group(name=f"Neighbours {n}", districts=["LS6"])
        _open_ballot(group, f"Ballot {n}")
        campaign = _campaign(group, f"Campaign {n}", people=1)
        pledge_create(stage=_stage(campaign), member=member, option_keys=["stop-dues"])
        acted = _campaign(group, f"Acted {n}", people=1)
        pledge_create(stage=_stage(acted), member=member, option_keys=["stop-dues"])
        _trigger_first_stage(acted)
        conversation_create(
            organiser=group.memberships.get(role="organiser").member,
            group=group,
            question=f"Conversation {n}",
            seed_statements=["Stay.", "Go."],
        )

    add_one_of_each(1)
    few = _home_queries(client)
    for n in range(2, 5):
        add_one_of_each(n)
    many = _home_queries(client)
    response = client.get(reverse("home"))
    assert len(response.context["ballots"]) == 4
    assert len(response.context["pledges"]) == 4
    assert len(response.context["action_packs"]) == 4
    assert len(response.context["campaign_rows"]) == 8
    assert len(response.context["groups_near"]) == 4
    assert len(response.context["conversations"]) == 4
    assert many == few
    # 13 (16 before): the session and the member; ballots; the member's pledges (waiting and
    # to act on, one query); open conversations, then the member's participant rows in them,
    # found by keys only Python can compute from the first; introductions to answer (one
    # query); memberships; groups near with their districts and issues; open campaigns, then
    # their stages with each stage's people count.
    assert few == 13, few


@pytest.mark.django_db
def test_open_conversations_with_statements_left_to_vote_on_need_the_member(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    member = make_member()
    branch = make_group(name="Headingley Branch")
    group_join(group=branch, member=member)
    organiser = branch.memberships.get(role="organiser").member
    mine = conversation_create(
        organiser=organiser, group=branch, question="Stay or go?", seed_statements=["Stay.", "Go."]
    )
    other_group = make_group(name="Far Branch")
    conversation_create(
        organiser=other_group.memberships.get().member,
        group=other_group,
        question="Another group's question",
        seed_statements=["Yes."],
    )

    client = Client()
    client.force_login(member)
    response = client.get(reverse("home"))
    assert [(each.conversation, each.left) for each in response.context["conversations"]] == [
        (mine, 2)
    ]
    needs = _needs_section(response.text)
    assert mine.get_absolute_url() in needs and "2 statements to vote on" in needs
    assert "Another group" not in response.text

    for statement in mine.statements.all():
        vote_cast(conversation=mine, statement=statement, member=member, value=1)
    response = client.get(reverse("home"))
    assert response.context["conversations"] == []
    assert mine.get_absolute_url() not in _needs_section(response.text)
