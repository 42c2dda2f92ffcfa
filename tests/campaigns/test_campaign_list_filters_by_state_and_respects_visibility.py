"""/campaigns/ lists the campaigns a visitor may see, by state, 50 a page, each with its group,
state, next deadline and people count when that is public; never drafts, and a hidden group's
campaigns only for its members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.ballots.services import ballot_cast, ballot_close
from rankandfile.campaigns.models import Campaign, Stage
from rankandfile.campaigns.services import (
    campaign_create,
    campaign_open,
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from rankandfile.groups.models import Group
from rankandfile.groups.services import group_join
from tests.ballots.ballot_helpers import receipt_hash
from tests.personas import MakeGroup, MakeMember, stage_inputs

LIST = reverse("campaigns:list")


def _draft(group: Group, title: str, *, people: int = 3) -> Campaign:
    return campaign_create(
        organiser=group.memberships.get(role="organiser").member,
        group=group,
        title=title,
        target="the party's national executive",
        explanation="We ask the executive to act.",
        demands=["Act"],
        stages=stage_inputs(people=people),
    )


def _open(group: Group, title: str, *, people: int = 3) -> Campaign:
    organiser = group.memberships.get(role="organiser").member
    return campaign_open(campaign=_draft(group, title, people=people), organiser=organiser)


def _first(campaign: Campaign) -> Stage:
    return campaign.stages.get(number=1)


def _pledge(campaign: Campaign, members: list[User]) -> Stage:
    stage = _first(campaign)
    for member in members:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    return stage


def _verdict(stage: Stage, voters: list[User], *, now_after: timedelta) -> None:
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    stage.refresh_from_db()
    ballot = stage.verdict_ballot
    assert ballot is not None
    for voter in voters:
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": "yes"},
            now=ballot.opens_at + timedelta(hours=1),
        )
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    stage_resolve_verdict(stage_id=stage.pk, now=stage.deadline + now_after)


def _one_campaign_in_each_state(make_member: MakeMember, group: Group) -> dict[str, Campaign]:
    pledgers = [make_member() for _ in range(5)]
    opened = _open(group, "Open campaign")
    _pledge(opened, pledgers)  # five: the people count is public

    won = _open(group, "Won campaign")
    _verdict(_pledge(won, pledgers), pledgers, now_after=timedelta(days=8))

    released = _open(group, "Released campaign")
    stage_resolve_deadline(stage_id=_first(released).pk, now=_first(released).deadline)

    # Nobody votes in the verdict, so the demands are unmet; past the last stage's deadline the
    # campaign ends triggered.
    triggered = _open(group, "Triggered campaign", people=1)
    _verdict(_pledge(triggered, pledgers[:1]), [], now_after=timedelta(days=100))

    _draft(group, "Draft campaign")
    by_state = {"open": opened, "won": won, "released": released, "triggered": triggered}
    for state, campaign in by_state.items():
        campaign.refresh_from_db()
        assert campaign.state == state
    return by_state


@pytest.mark.django_db
def test_the_list_filters_by_state_and_never_shows_drafts(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(name="Headingley Branch")
    by_state = _one_campaign_in_each_state(make_member, group)
    client = Client()

    response = client.get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0].campaign == by_state["open"]  # open campaigns first
    assert {r.campaign for r in rows} == set(by_state.values())
    assert "Draft campaign" not in response.text

    for state, campaign in by_state.items():
        response = client.get(LIST, {"state": state})
        assert [r.campaign for r in response.context["rows"]] == [campaign], state
        assert f'<option value="{state}" selected>' in response.text

    # A state that is not listed (or a draft) shows every campaign rather than an empty page.
    for state in ["draft", "nonsense"]:
        response = client.get(LIST, {"state": state})
        assert len(response.context["rows"]) == 4
        assert "Draft campaign" not in response.text


@pytest.mark.django_db
def test_each_row_shows_the_group_state_next_deadline_and_a_public_people_count(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(name="Headingley Branch")
    by_state = _one_campaign_in_each_state(make_member, group)
    few = _open(group, "Few pledged")
    _pledge(few, [make_member()])

    rows = {r.campaign.title: r for r in Client().get(LIST).context["rows"]}
    opened = rows["Open campaign"]
    assert opened.people == 5
    assert opened.next_deadline == _first(by_state["open"]).deadline
    assert rows["Few pledged"].people is None  # under 5: withheld
    assert rows["Released campaign"].next_deadline is None
    assert rows["Won campaign"].next_deadline is None

    html = Client().get(LIST, {"state": "open"}).text
    assert "Headingley Branch · Open" in html
    assert "fewer than 5" in html


@pytest.mark.django_db
def test_a_hidden_groups_campaigns_are_listed_only_for_its_members(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    hidden = make_group(name="Secret Caucus", visibility="hidden")
    _open(hidden, "Hidden group's campaign")
    _open(make_group(name="Public Branch"), "Public campaign")
    insider, outsider = make_member(), make_member()
    group_join(group=make_group(name="Another Branch"), member=outsider)
    hidden.memberships.create(member=insider)

    def titles(client: Client) -> set[str]:
        return {r.campaign.title for r in client.get(LIST).context["rows"]}

    assert titles(Client()) == {"Public campaign"}
    as_outsider = Client()
    as_outsider.force_login(outsider)
    assert titles(as_outsider) == {"Public campaign"}
    assert "Secret Caucus" not in as_outsider.get(LIST).text
    as_insider = Client()
    as_insider.force_login(insider)
    assert titles(as_insider) == {"Public campaign", "Hidden group's campaign"}


def _list_queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_pages_fifty_at_a_time_in_the_same_few_queries(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    group = make_group(name="Busy Branch")
    pledger = make_member()
    for n in range(2):
        _pledge(_open(group, f"Campaign {n:02}"), [pledger])
    client = Client()
    client.force_login(pledger)
    two = _list_queries(client, state="open")

    for n in range(2, 51):
        _open(group, f"Campaign {n:02}")
    last = _first(Campaign.objects.get(title="Campaign 50"))
    stage_resolve_deadline(stage_id=last.pk, now=last.deadline)  # nobody pledged: released
    fifty = _list_queries(client, state="open")
    assert fifty == two
    assert two <= 8, two

    first = client.get(LIST)
    assert len(first.context["rows"]) == 50
    assert 'href="?page=2"' in first.text
    second = client.get(LIST, {"page": "2"})
    assert [r.campaign.title for r in second.context["rows"]] == ["Campaign 50"]
    only_open = client.get(LIST, {"state": "open"})
    assert only_open.context["page_obj"].paginator.count == 50
    assert 'href="?page=2"' not in only_open.text
    assert only_open.context["query_without_page"] == "state=open"  # kept by the page links
