"""What ``world.member_in_every_app`` leaves out, for the download test: a row in every other
model that can hold a member's data, several of them shared with another member (``other``,
built by the same function), so that the download must tell the member's side from theirs.

Rows a member makes only as an organiser or a coordinator (a ballot set up, a join request
decided) are written straight through the ORM: the download reads them, whoever wrote them.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rankandfile.accounts.models import Skill
from rankandfile.ballots.models import Ballot, Nomination, NominationPeriod, Seconding
from rankandfile.campaigns.models import Vouch
from rankandfile.events.models import Event, Session, SessionChoice
from rankandfile.groups.models import (
    Affiliation,
    AffiliationStatus,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Membership,
)
from rankandfile.groups.selectors import invitation_email_digest
from rankandfile.introductions.models import (
    ContactMethod,
    Introduction,
    IntroductionContact,
    IntroductionMatch,
    MatchAnswer,
)
from rankandfile.introductions.services import introduction_ask_skill
from rankandfile.lib.tokens import token_digest, token_new
from rankandfile.notifications.models import KindOptOut, MemberImport
from rankandfile.opinions.models import Conversation, Statement
from rankandfile.opinions.services import vote_cast
from rankandfile.proposals.models import (
    Amendment,
    AmendmentSupport,
    Comment,
    CommentReport,
    Proposal,
    Slate,
    SlateGroup,
    Support,
)
from rankandfile.resources.models import HelpfulMark, Resource
from tests.privacy.world import World


def everything_else(world: World, other: World) -> None:
    """Give ``world.member`` a row in every model the world builder leaves out."""
    member, group, now = world.member, world.group, timezone.now()
    theirs = other.member
    Membership.objects.get_or_create(group=group, member=theirs)

    JoinRequest.objects.create(
        group=other.group,
        member=member,
        status=JoinRequestStatus.DECLINED,
        decided_by=other.organiser,
        decided_at=now,
    )
    JoinRequest.objects.create(
        group=group,
        member=theirs,
        status=JoinRequestStatus.APPROVED,
        decided_by=member,
        decided_at=now,
    )
    Invitation.objects.create(
        group=group,
        invited_by=member,
        email_digest=invitation_email_digest(theirs.email),
        token_digest=token_digest(token_new()),
        expires_at=now + timedelta(days=14),
    )
    Affiliation.objects.create(
        group=group,
        status=AffiliationStatus.LEFT,
        applied_by=member,
        decided_by=member,
        decided_at=now,
        left_by=member,
        left_at=now,
    )
    MemberImport.objects.create(
        group=group,
        organiser=member,
        encoding="utf-8",
        header=["email"],
        rows=[[theirs.email]],
        expires_at=now + timedelta(days=1),
    )
    KindOptOut.objects.create(member=member, kind="comment_reply")

    # As the world's organiser would: the member set up the world's ballot, conversation,
    # slate, event and nomination period, and moderated the other member's resource.
    for model in (Ballot, Conversation, Slate, Event, NominationPeriod):
        model._default_manager.filter(group=group).update(created_by=member)
    Resource.objects.filter(author=theirs).update(moderated_by=member, moderated_at=now)
    SlateGroup.objects.filter(slate__group=group).update(agreed_by=member, agreed_at=now)

    nomination = Nomination.objects.create(
        period=NominationPeriod.objects.get(group=group), nominee=theirs, nominated_by=member
    )
    Seconding.objects.create(
        nomination=Nomination.objects.filter(nominee=theirs).exclude(pk=nomination.pk).get(),
        seconder=member,
    )
    Vouch.objects.create(group=group, member=member, vouched_by=theirs)
    Vouch.objects.create(group=group, member=theirs, vouched_by=member)

    proposal = Proposal.objects.get(proposer=theirs)
    Support.objects.create(proposal=proposal, member=member)
    AmendmentSupport.objects.create(amendment=Amendment.objects.get(author=theirs), member=member)
    CommentReport.objects.create(comment=Comment.objects.get(author=theirs), reporter=member)
    Comment.objects.create(proposal=proposal, author=theirs, text="A reply to you.")
    HelpfulMark.objects.create(resource=Resource.objects.filter(author=theirs)[0], member=member)

    SessionChoice.objects.create(session=Session.objects.get(event__group=group), member=member)
    IntroductionContact.objects.create(
        member=member, method=ContactMethod.PHONE, phone=f"+44 7700 900{member.pk:03d}"
    )
    IntroductionMatch.objects.create(
        introduction=Introduction.objects.filter(asker=theirs).earliest("created_at"),
        member=member,
        distance_km=3.0,
        answer=MatchAnswer.DECLINED,
        answered_at=now,
    )
    skill, _ = Skill.objects.get_or_create(slug="first-aid", defaults={"name": "First aid"})
    introduction_ask_skill(
        asker=member,
        skill=skill,
        district=member.postcode_district,
        radius_km=10,
        message="Could someone run a first aid session for us?",
    )
    # The other member votes on the member's own statement: their vote is not the member's.
    statement = Statement.objects.get(author=member)
    vote_cast(conversation=statement.conversation, statement=statement, member=theirs, value=-1)
