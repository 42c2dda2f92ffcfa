"""A campaign's title is written into its verdict ballot's title, which ballots check strictly
(no control characters, no direction overrides, a length limit): a hostile organiser's title
must not stop the verdict from opening, or the stage would never be resolved."""

from __future__ import annotations

import pytest

from rankandfile.ballots.models import Ballot, BallotState
from rankandfile.campaigns.models import Campaign, StageState
from rankandfile.campaigns.services import pledge_create, stage_resolve_deadline
from tests.personas import MakeCampaign, MakeMember


@pytest.mark.django_db
def test_a_title_with_control_characters_still_opens_the_verdict(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    # Written as an organiser's crafted request could leave it: a tab, a line break, a
    # right-to-left override and the longest title the campaign allows.
    Campaign.objects.filter(pk=campaign.pk).update(
        title=("Publish\tthe\r\nreport \u202e" + "x" * 200)[:160]
    )
    stage = campaign.stages.get(number=1)
    for _ in range(5):
        pledge_create(stage=stage, member=make_member(), option_keys=["stop-dues"])

    assert stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline) == StageState.VERDICT

    stage.refresh_from_db()
    ballot = Ballot.objects.get(pk=stage.verdict_ballot_id)
    assert ballot.state == BallotState.OPEN
    assert ballot.title.startswith("Publish the report x")
    assert all(c.isprintable() for c in ballot.title)
    assert len(ballot.title) <= 200
