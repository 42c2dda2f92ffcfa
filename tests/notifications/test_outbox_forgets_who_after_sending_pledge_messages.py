"""The outbox forgets who was sent a message that reveals a pledge or a place on a roll.

A verdict ballot's roll is exactly the stage's pledgers, and a "released" message goes to each
pledger: the outbox row of such a message, once sent, keeps neither its member nor the member's
id in its key. A message still to be retried (a dead letter included) keeps its member until it
is sent. And no failure reason keeps an address: the SMTP client's error names the recipient.
"""

from __future__ import annotations

import pytest

from rankandfile.accounts.models import User
from rankandfile.campaigns.models import Stage
from rankandfile.campaigns.services import pledge_create, stage_resolve_deadline
from rankandfile.groups.services import group_join
from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due, messages_retry_dead
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeCampaign, MakeMember

pytestmark = pytest.mark.django_db


def _pledgers(make_member: MakeMember, stage: Stage, count: int) -> list[User]:
    members = []
    for n in range(count):
        member = make_member(email=f"pledger{n}@example.org")
        group_join(group=stage.campaign.group, member=member)
        pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
        members.append(member)
    return members


def _remembers(members: list[User]) -> list[str]:
    """The outbox rows that still name one of these members, by link or by key."""
    named = []
    for message in Message.objects.all():
        for member in members:
            if message.recipient_id == member.pk or message.key.endswith(f":member:{member.pk}"):
                named.append(f"{message.template} {message.status} {message.key}")
    return named


def test_sent_verdict_ballot_messages_forget_their_pledgers_and_dead_letters_keep_theirs(
    smtp_sink: SmtpSink, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=1)
    stage = campaign.stages.get(number=1)
    pledgers = _pledgers(make_member, stage, 3)
    refused = pledgers[1]
    smtp_sink.recorder.refuse = {refused.email}
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    stage.refresh_from_db()
    assert stage.verdict_ballot is not None

    report = messages_deliver_due()

    assert (report.sent, report.dead) == (2, 1)
    sent = Message.objects.filter(template="ballot_opened", status=MessageStatus.SENT)
    assert sent.count() == 2
    for message in sent:
        assert message.recipient_id is None
        assert message.key.startswith(f"ballot:{stage.verdict_ballot.pk}:opened:sent:")
    # The dead letter keeps its member so that it can be retried; nothing else names one.
    dead = Message.objects.get(status=MessageStatus.DEAD)
    assert dead.recipient_id == refused.pk
    assert _remembers([pledgers[0], pledgers[2]]) == []
    # Its reason has the SMTP code, not the address the SMTP client keeps on its error.
    assert "550" in dead.last_error and "SMTPRecipientRefused" in dead.last_error
    assert "@" not in dead.last_error and refused.email not in dead.last_error

    smtp_sink.recorder.refuse = set()
    assert messages_retry_dead(ids=[dead.pk]) == 1
    assert messages_deliver_due().sent == 1
    assert _remembers(pledgers) == []
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(p.email for p in pledgers)


def test_sent_release_messages_forget_their_pledgers(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    pledgers = _pledgers(make_member, stage, 2)
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    assert Message.objects.filter(template="pledge_released").count() == 2
    assert len(_remembers(pledgers)) == 2, "queued messages know whom to send to"

    assert messages_deliver_due().sent == 2

    assert _remembers(pledgers) == []
    keys = Message.objects.filter(template="pledge_released").values_list("key", flat=True)
    assert all(k.startswith(f"campaign:{campaign.pk}:stage:1:released:sent:") for k in keys)


def test_a_refusal_naming_the_address_is_kept_without_it(
    smtp_sink: SmtpSink, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=5)
    stage = campaign.stages.get(number=1)
    (pledger,) = _pledgers(make_member, stage, 1)
    smtp_sink.recorder.answer = f"554 5.7.1 Message for <{pledger.email}> refused by policy"
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)

    assert messages_deliver_due().dead == 1

    error = Message.objects.get().last_error
    assert error.startswith("SMTPDataError 554: 5.7.1 Message for ")
    assert error.endswith(" refused by policy")
    assert "@" not in error and "pledger" not in error
