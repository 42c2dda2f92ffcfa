"""No email subject says that its recipient pledged, or is on a ballot's roll.

A subject shows on a phone's lock screen. A message that goes only to pledgers (an action pack,
a release, a win) or to a ballot's roll (a verdict ballot's roll is the stage's pledgers, and
its title names the campaign) must not name the campaign or the ballot there, nor say
"pledge". Every kind's subject is rendered here, and then those of a real verdict and trigger.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from rankandfile.accounts.models import User
from rankandfile.campaigns.services import (
    VERDICT_QUESTION,
    pledge_create,
    stage_resolve_deadline,
)
from rankandfile.groups.services import group_join
from rankandfile.notifications.kinds import ADDRESSED_KINDS, FORGOTTEN_ONCE_SENT, KINDS
from rankandfile.notifications.models import Message
from rankandfile.notifications.rendering import render_parts
from rankandfile.notifications.sending import messages_deliver_due
from tests.personas import MakeCampaign, MakeMember

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATES = (
    Path(__file__).resolve().parents[2] / "rankandfile/notifications/templates/notifications/email"
)
CAMPAIGN = "Withhold our subscriptions"
STAGE = "Cancel the direct debit"
BALLOT = f"{CAMPAIGN}, stage 1: {VERDICT_QUESTION}"
CONTEXT = {
    "campaign_title": CAMPAIGN,
    "campaign_slug": "withhold",
    "stage_number": 1,
    "stage_title": STAGE,
    "ballot_title": BALLOT,
    "amount": "£12.00",
    "group_name": "Leeds North",
    "title": "Meeting on Friday",
    "body": "Come along.",
    "subject": "Confirm your email address",
    "text": "Open the link.",
    "frequency": "Daily",
    "items": [],
}
SAYS_PLEDGED = re.compile(r"pledg", re.IGNORECASE)


def _check(kind: str, subject: str) -> None:
    assert not SAYS_PLEDGED.search(subject), f"{kind}: {subject!r}"
    if kind in FORGOTTEN_ONCE_SENT:
        for name in (CAMPAIGN, STAGE, BALLOT, VERDICT_QUESTION):
            assert name not in subject, f"{kind} names {name!r} in its subject: {subject!r}"


def test_every_kind_has_a_subject_that_does_not_say_the_recipient_pledged(
    make_member: MakeMember,
) -> None:
    kinds = sorted(path.name for path in EMAIL_TEMPLATES.iterdir() if path.is_dir())
    assert set(kinds) == set(KINDS) | ADDRESSED_KINDS
    member = make_member()
    for kind in kinds:
        subject, _, _ = render_parts(template=kind, context=CONTEXT, recipient=member)
        assert subject, kind
        _check(kind, subject)


def test_the_subject_sent_to_a_verdict_ballots_roll_names_no_campaign(
    make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    campaign = make_campaign(people=1)
    stage = campaign.stages.get(number=1)
    pledger: User = make_member()
    group_join(group=campaign.group, member=pledger)
    pledge_create(stage=stage, member=pledger, option_keys=["stop-dues"])
    stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
    messages_deliver_due()

    sent = {m.subject: m for m in mail.outbox}
    assert len(sent) >= 1
    kinds = set(Message.objects.values_list("template", flat=True))
    assert "ballot_opened" in kinds
    for subject in sent:
        _check("ballot_opened", subject)
        assert campaign.title not in subject
