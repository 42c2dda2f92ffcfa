"""The organisers' pages: the group's rules for proposals, the list of reported comments (and
removing one), and sending a proposal with enough supporters to a ballot, after a confirmation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import Membership
from rankandfile.proposals.comments import comment_create, comment_report
from rankandfile.proposals.models import Comment, ProposalSettings, ProposalState
from rankandfile.proposals.services import proposal_support
from tests.personas import MakeGroup, MakeMember, login_with_second_factor
from tests.proposals.proposal_helpers import branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def test_organisers_set_the_rules_and_members_cannot(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    organiser = Client()
    login_with_second_factor(organiser, branch.organiser)
    url = reverse("proposals:settings", kwargs={"group_slug": branch.group.slug})
    rules = {
        "threshold_kind": "percent",
        "threshold_people": "10",
        "threshold_percent": "20",
        "support_days": "14",
        "ballot_days": "5",
    }
    assert organiser.post(url, rules | {"support_days": "0"}).status_code == 400
    assert organiser.post(url, rules).status_code == 302
    saved = ProposalSettings.objects.get(group=branch.group)
    assert (saved.threshold_kind, saved.threshold_percent, saved.support_days) == (
        "percent",
        20,
        14,
    )
    plain_member = make_member(mfa=True)
    Membership.objects.create(group=branch.group, member=plain_member)
    member = Client()
    login_with_second_factor(member, plain_member)
    assert member.post(url, rules | {"ballot_days": "9"}).status_code == 404
    assert ProposalSettings.objects.get(group=branch.group).ballot_days == 5


def test_a_reported_comment_is_listed_for_organisers_and_removed(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    rude = comment_create(proposal=proposal, author=branch.members[0], text="Something rude.")
    comment_report(comment=rude, reporter=branch.members[1])
    organiser = Client()
    login_with_second_factor(organiser, branch.organiser)
    listing = organiser.get(reverse("proposals:reported", kwargs={"group_slug": branch.group.slug}))
    assert b"Something rude." in listing.content and b"reported 1 time" in listing.content
    removed = organiser.post(
        reverse("proposals:comment_delete", kwargs={"comment_id": rude.pk}),
        {"confirmed": "yes", "back_to": "reported"},
    )
    assert removed["Location"] == reverse(
        "proposals:reported", kwargs={"group_slug": branch.group.slug}
    )
    assert Comment.objects.get(pk=rude.pk).deleted


def test_an_organiser_sends_a_supported_proposal_to_a_ballot_after_confirming(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=2)
    proposal = proposal_opened(branch)
    organiser = Client()
    login_with_second_factor(organiser, branch.organiser)
    url = reverse("proposals:send_to_ballot", kwargs={"proposal_id": proposal.pk})
    page = organiser.get(proposal.get_absolute_url())
    assert b"Send to a ballot now" not in page.content  # not enough supporters yet
    for member in branch.members[:2]:
        proposal_support(proposal=proposal, member=member)
    assert b"Send to a ballot now" in organiser.get(proposal.get_absolute_url()).content

    asked = organiser.post(url)
    assert asked.status_code == 200 and b"Send the proposal to a ballot now?" in asked.content
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DISCUSSION
    sent = organiser.post(url, {"confirmed": "yes"})
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.TO_BALLOT and proposal.ballot is not None
    assert sent["Location"] == proposal.ballot.get_absolute_url()
