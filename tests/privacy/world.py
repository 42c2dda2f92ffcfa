"""A member with something in every app, built through the real services, for the erasure tests.

The member's email, display name and postcode district are distinctive, so that a raw read of
every table can look for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.ballots.models import Ballot
from rankandfile.ballots.services import ballot_cast, ballot_open
from rankandfile.campaigns.backings import backing_member_set
from rankandfile.campaigns.models import Campaign
from rankandfile.campaigns.services import campaign_create, campaign_open, pledge_create
from rankandfile.groups.models import Group, Membership, Role
from rankandfile.introductions.services import introduction_ask_group, introduction_decline
from rankandfile.notifications.models import Frequency
from rankandfile.notifications.services import preference_set
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import conversation_create, statement_submit, vote_cast
from tests.ballots.ballot_helpers import ballot_make, receipt_hash
from tests.personas import MakeGroup, MakeMember, login_with_second_factor, stage_inputs
from tests.site.test_every_page_answers_each_role_as_pinned import (
    _event_ids,
    _nomination_ids,
    _proposal_ids,
    _resource_ids,
    _slate_id,
)

EMAIL = "erin.erasable@example.org"
NAME = "Erin Erasable"
DISTRICT = "ZE2"


@dataclass
class World:
    member: User
    organiser: User
    group: Group
    campaign: Campaign
    ballot: Ballot
    conversation: Conversation
    client: Client


def member_in_every_app(
    make_member: MakeMember,
    make_group: MakeGroup,
    *,
    email: str = EMAIL,
    name: str = NAME,
    district: str = DISTRICT,
) -> World:
    organiser = make_member(mfa=True)
    group = make_group(visibility="listed", organiser=organiser)
    member = make_member(
        email=email,
        display_name=name,
        district=district,
        consents=(
            ConsentPurpose.MEMBERSHIP,
            ConsentPurpose.CAMPAIGN_EMAIL,
            ConsentPurpose.INTRODUCTIONS,
        ),
        mfa=True,
    )
    Membership.objects.create(group=group, member=member)
    # Others take part alongside, so that totals hold more than the member's share.
    others = [make_member() for _ in range(2)]
    for other in others:
        Membership.objects.create(group=group, member=other)

    campaign = campaign_create(
        organiser=organiser,
        group=group,
        title="Publish the report",
        target="the party's national executive",
        explanation="We ask the executive to publish the report and act on it.",
        demands=["Publish the report in full"],
        stages=stage_inputs(),
    )
    campaign = campaign_open(campaign=campaign, organiser=organiser)
    assert isinstance(campaign, Campaign)
    stage = campaign.stages.first()
    assert stage is not None
    for pledger in [member, *others]:
        pledge_create(stage=stage, member=pledger, option_keys=["stop-dues"])
    backing_member_set(target=campaign, member=member, show_name=True)

    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group))
    for voter in [member, others[0]]:
        ballot_cast(
            ballot=ballot,
            member=voter,
            receipt_hash=receipt_hash(),
            answers={"1": "yes", "2": [1, 2]},
        )

    conversation = conversation_create(
        organiser=organiser, group=group, question="Stay or go?", seed_statements=["Stay."]
    )
    seed = conversation.statements.get()
    for voter in [member, *others]:
        vote_cast(conversation=conversation, statement=seed, member=voter, value=1)
    statement_submit(conversation=conversation, member=member, text="Go, and take the funds.")

    _proposal_ids(group, member)
    _slate_id(group, organiser, member)
    _nomination_ids(group, organiser, member)
    _event_ids(group, organiser, member)
    _resource_ids(group, organiser, member)
    introduction_ask_group(
        asker=member, group=make_group(), message="I would like to help with leafleting."
    )
    # They also organise a group with someone else, and declined a request to it: the request
    # stays with its asker.
    theirs_too = make_group()
    Membership.objects.create(group=theirs_too, member=member, role=Role.ORGANISER)
    asker = make_member(consents=(ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS))
    introduction_decline(
        introduction=introduction_ask_group(asker=asker, group=theirs_too, message="Hello."),
        member=member,
    )
    preference_set(member=member, group=group, frequency=Frequency.WEEKLY)
    api_token_create(member=member, name="My laptop", scope=TokenScope.READ)

    client = Client()
    login_with_second_factor(client, member)
    assert client.get(reverse("accounts:profile")).status_code == 200
    return World(
        member=member,
        organiser=organiser,
        group=group,
        campaign=campaign,
        ballot=ballot,
        conversation=conversation,
        client=client,
    )
