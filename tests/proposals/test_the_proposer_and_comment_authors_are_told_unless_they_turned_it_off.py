"""The proposer is told of an amendment to their proposal and of its reaching its supporters;
a comment's author of a reply to it: each a message through the outbox that the member can turn
off on their email preferences page. Nobody is told of their own amendment or reply."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.notifications.kinds import OPTIONAL_KINDS
from rankandfile.notifications.models import KindOptOut, Message, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.services import amendment_propose, proposal_support
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import MOTION, branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def _sent_to(member_id: int) -> list[str]:
    return sorted(Message.objects.filter(recipient_id=member_id).values_list("template", flat=True))


def test_an_amendment_and_a_reply_are_told_to_the_proposer_and_the_author(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=2)
    proposal = proposal_opened(branch)
    amender, replier = branch.members[:2]

    amendment = amendment_propose(
        proposal=proposal, author=amender, proposed_text=MOTION.replace("500", "800")
    )
    comment = comment_create(proposal=proposal, author=branch.proposer, text="Why 500?")
    comment_create(proposal=proposal, author=replier, text="Costed.", parent=comment)
    for supporter in branch.members[:2]:
        proposal_support(proposal=proposal, member=supporter)

    assert _sent_to(branch.proposer.pk) == [
        "comment_reply",
        "proposal_amendment",
        "proposal_threshold_reached",
    ]
    told = Message.objects.get(template="proposal_amendment")
    assert told.context["amendment_number"] == amendment.number
    assert told.context["author_name"] == amender.display_name
    assert told.context["amendment_url"].endswith(f"/amendments/{amendment.pk}/")
    reply = Message.objects.get(template="comment_reply")
    assert reply.context["author_name"] == replier.display_name
    assert _sent_to(amender.pk) == [] and _sent_to(replier.pk) == []


def test_nobody_is_told_of_their_own_amendment_or_reply(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    amendment_propose(
        proposal=proposal, author=branch.proposer, proposed_text=MOTION.replace("500", "800")
    )
    comment = comment_create(proposal=proposal, author=branch.proposer, text="A thought.")
    comment_create(proposal=proposal, author=branch.proposer, text="And more.", parent=comment)
    assert Message.objects.count() == 0


def test_a_member_turns_the_messages_off_on_the_preferences_page_and_gets_none(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group, threshold=1)
    client = Client()
    client.force_login(branch.proposer)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Messages about proposals" in page
    # Every message a member may turn off (the proposals' three among them) starts on.
    assert page.count('name="kind"') == len(OPTIONAL_KINDS) == page.count(" checked")

    # Only the reply message stays on.
    response = client.post(reverse("notifications:message_kinds"), {"kind": ["comment_reply"]})
    assert response.status_code == 302
    assert set(KindOptOut.objects.values_list("kind", flat=True)) == set(OPTIONAL_KINDS) - {
        "comment_reply"
    }
    assert {"proposal_amendment", "proposal_threshold_reached"} <= set(OPTIONAL_KINDS)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count(" checked") == 1

    proposal = proposal_opened(branch)
    amendment_propose(
        proposal=proposal, author=branch.members[0], proposed_text=MOTION.replace("500", "800")
    )
    proposal_support(proposal=proposal, member=branch.members[0])
    comment = comment_create(proposal=proposal, author=branch.proposer, text="Why 500?")
    comment_create(proposal=proposal, author=branch.members[1], text="Costed.", parent=comment)
    assert _sent_to(branch.proposer.pk) == ["comment_reply"]

    # Turned back on: all of them again; a kind that cannot be turned off is ignored.
    client.post(reverse("notifications:message_kinds"), {"kind": list(OPTIONAL_KINDS)})
    assert KindOptOut.objects.count() == 0
    client.post(reverse("notifications:message_kinds"), {"kind": ["ballot_opened"]})
    assert KindOptOut.objects.count() == len(OPTIONAL_KINDS)


def test_a_message_turned_off_after_it_was_queued_is_not_sent(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    amendment_propose(
        proposal=proposal, author=branch.members[0], proposed_text=MOTION.replace("500", "800")
    )
    KindOptOut.objects.create(member=branch.proposer, kind="proposal_amendment")
    messages_deliver_due()
    message = Message.objects.get(template="proposal_amendment")
    assert message.status == MessageStatus.SKIPPED
