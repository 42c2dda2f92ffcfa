from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import Consent, User
from rankandfile.accounts.selectors import member_has_mfa
from rankandfile.campaigns import selectors
from rankandfile.campaigns.backing_selectors import backing_summary
from rankandfile.campaigns.models import Campaign, Pledge
from rankandfile.cli import main
from rankandfile.demo.services import (
    DEMO_COORDINATOR_EMAIL,
    DEMO_COORDINATOR_TOTP_SECRET,
    DEMO_MEMBER_EMAIL,
    DEMO_ORGANISER_EMAIL,
    DEMO_ORGANISER_TOTP_SECRET,
    DEMO_PASSWORD,
)
from rankandfile.events.models import Event
from rankandfile.groups.models import (
    Affiliation,
    AffiliationStatus,
    Group,
    GroupKind,
    Membership,
    Role,
)
from rankandfile.introductions.selectors import introductions_awaiting_answer
from rankandfile.opinions.models import Conversation
from rankandfile.opinions.services import participant_of


def test_the_command_line_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("manage", "demo", "run", "count"):
        assert f"rankandfile {command}" in out
    assert main(["no-such-command"]) == 2


def test_rankandfile_manage_passes_through_to_django() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rankandfile", "manage", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Without keys configured, it notes the development encryption keys (accounts.I001).
    assert "System check identified" in result.stdout + result.stderr


@pytest.mark.django_db
def test_the_demo_network_is_a_living_site() -> None:
    call_command("demo", "--if-empty", verbosity=0)
    assert User.objects.count() == 500 + 3000  # members in groups + the campaign's supporters
    assert User.objects.filter(memberships__isnull=False).distinct().count() >= 450
    assert 38 <= Group.objects.count() <= 45
    assert set(Group.objects.values_list("kind", flat=True)) == set(GroupKind.values)
    assert Group.objects.filter(districts__isnull=False).distinct().count() >= 30
    assert Consent.objects.filter(purpose=ConsentPurpose.MEMBERSHIP).count() == 3500
    organisers = User.objects.filter(memberships__role=Role.ORGANISER).distinct()
    assert organisers.count() >= 40
    assert all(member_has_mfa(o) for o in organisers)
    assert Membership.objects.count() > 800
    assert len(set(User.objects.values_list("display_name", flat=True))) > 250
    # The live campaign our users described: eleven demands, six weeks, two stages.
    campaign = Campaign.objects.get()
    assert campaign.state == "open" and campaign.demands.count() == 11
    first, second = campaign.stages.order_by("number")
    assert first.state == "open" and second.state == "pending"
    assert (
        timedelta(weeks=6) - timedelta(hours=1)
        < first.deadline - timezone.now()
        <= timedelta(weeks=6)
    )
    pledges = Pledge.objects.filter(stage=first)
    assert 2000 <= pledges.count() <= 5000
    tally = selectors.stage_totals(first)
    assert tally.pledges == pledges.count()
    assert tally.verified_pledges == pledges.filter(verified=True).count()
    assert tally.amount_pence == sum(p.amount_pence or 0 for p in pledges)
    # Groups and members back the campaign and a campaign group, a hidden group among them.
    backed = backing_summary(campaign)
    assert len(backed.groups_named) == 3 and backed.groups_other == 1
    assert backed.members == 40 and 0 < len(backed.members_named) < 40
    zero_hours = Group.objects.get(name="End Zero Hours Coalition")
    assert backing_summary(zero_hours).groups == 3
    # An open conversation of the demo member's group, whose camps the map tells apart; the
    # demo member has not voted yet, so they can try it.
    conversation = Conversation.objects.get()
    assert conversation.is_open and conversation.statements.count() == 12
    assert conversation.group is not None
    assert conversation.group.memberships.filter(member__email=DEMO_MEMBER_EMAIL).exists()
    result = conversation.map_result
    assert result.participants_count == 40 and result.votes_count > 400
    assert len(result.data["group_sizes"]) >= 2
    assert result.data["consensus"]["agree"] and result.data["divisive"]
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    assert participant_of(conversation=conversation, member=member) is None
    # The founding conference (the whole network's, online and in Manchester, six sessions)
    # and ten smaller events of groups, all to come, with places taken.
    conference = Event.objects.get(group__isnull=True)
    assert conference.title == "The founding conference" and conference.sessions.count() == 6
    assert conference.online and conference.in_person and conference.district.startswith("M")
    smaller = Event.objects.filter(group__isnull=False)
    assert smaller.count() == 10 and all(e.starts_at > timezone.now() for e in smaller)
    assert all(e.rsvps.count() <= e.capacity for e in smaller)
    # Two introductions waiting: one to the demo organiser's group, one for the demo member.
    organiser = User.objects.get(email=DEMO_ORGANISER_EMAIL)
    assert [row.what for row in introductions_awaiting_answer(organiser)] == [
        f"An introduction to {conversation.group.name}"
    ]
    assert len(introductions_awaiting_answer(member)) == 1
    # Running it again changes nothing.
    call_command("demo", "--if-empty", verbosity=0)
    assert User.objects.count() == 3500


@pytest.mark.django_db
def test_the_readme_demo_logins_work() -> None:
    call_command("demo", "--if-empty", verbosity=0)
    member = Client()
    response = member.post(
        "/accounts/login/", {"login": DEMO_MEMBER_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in member.session

    organiser = Client()
    response = organiser.post(
        "/accounts/login/", {"login": DEMO_ORGANISER_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in organiser.session
    code = pyotp.TOTP(DEMO_ORGANISER_TOTP_SECRET).now()
    response = organiser.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in organiser.session
    group = Group.objects.filter(
        memberships__member__email=DEMO_ORGANISER_EMAIL, memberships__role=Role.ORGANISER
    ).first()
    assert group is not None
    assert organiser.get(f"/groups/{group.slug}/manage/").status_code == 200
    assert Authenticator.objects.filter(user__email=DEMO_ORGANISER_EMAIL).exists()
    # The organiser's group waits for the network's coordinator, who opens the queue.
    (pending,) = Affiliation.objects.filter(status=AffiliationStatus.PENDING)
    assert pending.group == group
    assert organiser.get(f"/groups/{group.slug}/manage/affiliation/").status_code == 200
    assert Affiliation.objects.filter(status=AffiliationStatus.APPROVED).count() >= 3

    coordinator = Client()
    coordinator.post(
        "/accounts/login/", {"login": DEMO_COORDINATOR_EMAIL, "password": DEMO_PASSWORD}
    )
    code = pyotp.TOTP(DEMO_COORDINATOR_TOTP_SECRET).now()
    response = coordinator.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    queue = coordinator.get("/coordinators/affiliations/")
    assert queue.status_code == 200
    assert group.name in queue.content.decode()
