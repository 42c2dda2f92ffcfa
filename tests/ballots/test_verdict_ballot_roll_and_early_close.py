"""A campaign's verdict ballot cannot be closed before its time (by the service, the page or the
API), and once it closes its roll keeps the counts but no longer says who was on it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.ballots.models import Ballot, BallotState, RollEntry
from rankandfile.ballots.services import BallotError, ballot_cast, ballot_close, ballots_close_due
from rankandfile.campaigns.models import Stage
from rankandfile.campaigns.services import pledge_create, stage_resolve_deadline
from rankandfile.notifications.models import Message
from tests.personas import MakeCampaign, MakeMember, login_with_second_factor


def _verdict(make_campaign: MakeCampaign, make_member: MakeMember) -> tuple[Ballot, User]:
    """A stage whose organiser and two members pledged, put to its verdict; everyone voted."""
    organiser = make_member(mfa=True)
    campaign = make_campaign(people=3, organiser=organiser)
    stage = campaign.stages.get(number=1)
    pledgers = [organiser, make_member(), make_member()]
    for member in pledgers:
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    ballot = Stage.objects.get(pk=stage.pk).verdict_ballot
    assert ballot is not None and ballot.state == BallotState.OPEN
    for n, member in enumerate(pledgers):
        ballot_cast(
            ballot=ballot,
            member=member,
            receipt_hash=hashlib.sha256(f"receipt-{n}".encode()).hexdigest(),
            answers={"1": "yes"},
            now=ballot.opens_at + timedelta(hours=1),
        )
    return ballot, organiser


@pytest.mark.django_db
def test_nobody_closes_a_verdict_early_by_the_service_the_page_or_the_api(
    client: Client, make_campaign: MakeCampaign, make_member: MakeMember
) -> None:
    ballot, organiser = _verdict(make_campaign, make_member)
    assert not ballot.closes_early_allowed

    with pytest.raises(BallotError, match="cannot be closed early"):
        ballot_close(ballot=ballot, actor=organiser, now=ballot.opens_at + timedelta(hours=2))
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.OPEN

    login_with_second_factor(client, organiser)
    page = client.get(reverse("ballots:detail", args=[ballot.pk])).content.decode()
    assert reverse("ballots:close", args=[ballot.pk]) not in page
    client.post(reverse("ballots:close", args=[ballot.pk]), {"confirmed": "yes"})
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.OPEN

    # The API has no way to close a ballot at all.
    assert client.post(f"/api/v1/ballots/{ballot.pk}/close").status_code in (404, 405)
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.OPEN

    # At its closing time the clock closes it as usual.
    assert ballots_close_due(now=ballot.closes_at) == 1
    assert Ballot.objects.get(pk=ballot.pk).state == BallotState.PUBLISHED


@pytest.mark.django_db
def test_after_the_close_the_verdict_roll_keeps_counts_but_no_members(
    client: Client, make_campaign: MakeCampaign, make_member: MakeMember
) -> None:
    ballot, organiser = _verdict(make_campaign, make_member)
    assert not ballot.roll_kept_after_close
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)

    assert not RollEntry.objects.filter(ballot=ballot).exists()
    closed = Ballot.objects.get(pk=ballot.pk)
    assert (closed.state, closed.roll_size, closed.voted_count) == (BallotState.PUBLISHED, 3, 3)
    # Everyone on the roll was told of the results before the roll was forgotten.
    told = Message.objects.filter(key__startswith=f"ballot:{ballot.pk}:results:")
    assert told.count() == 3
    client.force_login(organiser)
    page = client.get(reverse("ballots:detail", args=[ballot.pk])).content.decode()
    assert "A ballot has been cast in your name" not in page
    assert "The roll of this ballot was deleted when voting closed" in page
    results = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert "3 of 3 members on the roll voted" in results
