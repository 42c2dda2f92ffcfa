"""The public campaign page, most of deadline day's load: built once a second for visitors who
are not signed in (Django's cache), afresh for every signed-in member, who sees their own
pledge at once; and in a fixed number of queries however many stages it has."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rankandfile.campaigns.models import Campaign, Stage, StageState
from rankandfile.campaigns.services import campaign_create, campaign_open, pledge_create
from tests.personas import MakeCampaign, MakeGroup, MakeMember, stage_inputs

# The page, built: the campaign, its stages with their counts and their options, the current
# stage's last release and live count, who backs it (three) and the demands.
VISITOR_QUERIES = 9
# A member's adds their session, their account, their pledge outcomes and their pledge, and
# whether they back it and organise a group.
MEMBER_QUERIES = 15
_COUNT = '<dd id="pledge-count">{} of'


def _page(campaign: Campaign) -> str:
    return reverse("campaigns:detail", kwargs={"slug": campaign.slug})


def _queries_of_get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.django_db
def test_visitors_get_one_copy_a_second_and_no_query_while_it_lasts(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    for _ in range(5):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])

    first, queries = _queries_of_get(Client(), _page(campaign))
    assert queries == VISITOR_QUERIES
    assert _COUNT.format(5) in first

    pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    again, queries = _queries_of_get(Client(), _page(campaign))
    assert queries == 0 and again == first  # the copy, at most a second old

    response = Client().get(_page(campaign))
    assert response["Cache-Control"] == "max-age=1"
    assert not response.cookies  # nothing of one visitor's is in the copy all of them get

    cache.clear()  # as a second passing does
    later, queries = _queries_of_get(Client(), _page(campaign))
    assert queries == VISITOR_QUERIES
    assert _COUNT.format(6) in later


@pytest.mark.django_db
def test_a_member_sees_their_own_pledge_at_once_while_visitors_get_the_copy(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    for _ in range(5):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    visitor_page, _ = _queries_of_get(Client(), _page(campaign))  # the copy is made

    member = make_member()
    client = Client()
    client.force_login(member)
    before, queries = _queries_of_get(client, _page(campaign))
    assert queries == MEMBER_QUERIES
    assert "Withdraw my pledge" not in before and member.display_name in before

    response = client.post(
        reverse("campaigns:pledge", kwargs={"slug": campaign.slug}), {"options": ["stop-dues"]}
    )
    assert response.status_code == 302
    after, queries = _queries_of_get(client, _page(campaign))
    assert queries == MEMBER_QUERIES + 1  # and their pledge's options
    assert "Withdraw my pledge" in after and _COUNT.format(6) in after

    # Visitors still get the copy from before the pledge until it is a second old.
    assert _queries_of_get(Client(), _page(campaign)) == (visitor_page, 0)


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_with_more_stages_started(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    stages = stage_inputs()
    stages.append(replace(stages[-1], title="Strike", deadline=timezone.now() + timedelta(days=99)))
    campaign = campaign_open(
        campaign=campaign_create(
            organiser=organiser,
            group=make_group(organiser=organiser),
            title="Three stages",
            target="the executive",
            explanation="Why.",
            demands=["Publish the report"],
            stages=stages,
        ),
        organiser=organiser,
    )
    # Two stages already run: the ladder shows each one's count, read in the same one query.
    Stage.objects.filter(campaign=campaign, number__lt=3).update(state=StageState.RELEASED)
    Stage.objects.filter(campaign=campaign, number=3).update(state=StageState.OPEN)
    page, queries = _queries_of_get(Client(), _page(campaign))
    assert queries == VISITOR_QUERIES
    assert "Stage 3 of 3: Strike" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "count"),
    [("campaigns:totals", '<dd id="pledge-count">{} of'), ("campaigns:embed", "{} <span>pledged")],
)
def test_the_totals_and_the_embed_are_a_second_old_for_visitors_and_fresh_for_members(
    page: str, count: str, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign()
    stage = campaign.stages.get(number=1)
    for _ in range(5):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])
    url = reverse(page, kwargs={"slug": campaign.slug})
    first, queries = _queries_of_get(Client(), url)
    assert queries > 0 and count.format(5) in first

    member = make_member()
    pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    assert _queries_of_get(Client(), url) == (first, 0)
    client = Client()
    client.force_login(member)
    assert count.format(6) in _queries_of_get(client, url)[0]

    response = Client().get(url)  # the copy keeps what its page may be framed by
    framed = page == "campaigns:embed"
    assert ("X-Frame-Options" not in response) is framed
    assert ("frame-ancestors *" in response["Content-Security-Policy"]) is framed
