"""Every absolute link the site gives out, in its pages and its emails, starts with SITE_ROOT.

With SITE_ROOT set to an address no default would produce, the pages that carry absolute links
(the campaign page's share link, embed code and OpenGraph tag, the embed itself) are rendered,
and every kind of email is sent through the real workflows and the real outbox to a real SMTP
server: allauth's verification, password reset, "no account" and "account exists" emails, a
group invitation, and each kind of notifications/kinds.py. Every ``http://`` or ``https://``
address in them must start with SITE_ROOT, and no email may name a host and port
("Hello from 127.0.0.1:8400!").

``rankandfile run ADDRESS`` sets SITE_ROOT from the address it serves, unless it is set.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from rankandfile import cli
from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import User
from rankandfile.ballots.nominations import (
    nomination_create,
    nomination_period_create,
    nomination_second,
)
from rankandfile.ballots.services import (
    ballot_cast,
    ballot_close,
    ballot_open,
    ballots_remind_due,
)
from rankandfile.campaigns.models import Stage
from rankandfile.campaigns.services import (
    pledge_create,
    stage_resolve_deadline,
    stage_resolve_verdict,
)
from rankandfile.events.services import (
    EventDetails,
    event_cancel,
    event_create,
    event_update,
    events_remind_due,
    rsvp_cancel,
    rsvp_create,
)
from rankandfile.groups.services import group_join
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_decline,
    introduction_withdraw,
)
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.kinds import ADDRESSED_KINDS, KINDS
from rankandfile.notifications.models import Frequency, Message, MessageClass, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from rankandfile.notifications.services import (
    affiliation_apply,
    affiliation_decide,
    digests_send,
    invitation_create,
    message_enqueue,
    preference_set,
)
from rankandfile.privacy.export import data_export_build, data_export_request
from rankandfile.proposals.comments import comment_create
from rankandfile.proposals.services import (
    amendment_propose,
    proposal_draft_create,
    proposal_open,
    proposal_settings_update,
    proposal_support,
)
from tests.ballots.ballot_helpers import ballot_make
from tests.notifications.outbox import CAMPAIGNER, campaign_update
from tests.notifications.smtp_sink import SmtpSink
from tests.personas import MakeCampaign, MakeGroup, MakeMember, login_with_second_factor

SITE_ROOT = "https://organise.example.org"
ABSOLUTE = re.compile(r"https?://[^\s\"'<>`]+")
# A host and port: "127.0.0.1:8400", "localhost:8000", "example.org:8080" (not "19:30").
HOST_AND_PORT = re.compile(
    r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{2,5}\b", re.I
)
SIGNUP = {
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "display_name": "Red Robin",
    "postcode_district": "LS6",
    "consent_membership": "on",
}


@pytest.fixture
def site_root(settings: Settings) -> str:
    settings.SITE_ROOT = SITE_ROOT
    settings.DEFAULT_FROM_EMAIL = "Rank and File <noreply@organise.example.org>"
    return SITE_ROOT


@pytest.fixture
def smtp_sink(settings: Settings) -> Iterator[SmtpSink]:
    """A real SMTP server on a free port, as tests/notifications/conftest.py makes one."""
    sink = SmtpSink().start()
    settings.MAILERS = sink.mailers_setting()
    try:
        yield sink
    finally:
        sink.stop()


def _links(text: str) -> list[str]:
    return [url.rstrip(".,;:)") for url in ABSOLUTE.findall(text)]


def _assert_on_site_root(where: str, text: str) -> list[str]:
    links = _links(text)
    for url in links:
        assert url == SITE_ROOT or url.startswith(SITE_ROOT + "/"), f"{where}: {url}"
    return links


# Pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_campaign_page_and_its_embed_share_and_embed_addresses_under_site_root(
    site_root: str, make_member: MakeMember, make_campaign: MakeCampaign
) -> None:
    organiser = make_member(mfa=True)
    campaign = make_campaign(organiser=organiser)
    member = make_member()
    group_join(group=campaign.group, member=member)
    member_client = Client()
    member_client.force_login(member)
    organiser_client = Client()
    login_with_second_factor(organiser_client, organiser)
    share = absolute_url(campaign.get_absolute_url())
    embed = absolute_url(reverse("campaigns:embed", kwargs={"slug": campaign.slug}))

    pages = {
        "campaign page, anonymous": Client().get(campaign.get_absolute_url()),
        "campaign page, member": member_client.get(campaign.get_absolute_url()),
        "embed": Client().get(embed.removeprefix(SITE_ROOT)),
        "group page": member_client.get(campaign.group.get_absolute_url()),
        "group manage page": organiser_client.get(
            reverse("groups:manage", kwargs={"slug": campaign.group.slug})
        ),
        "profile": member_client.get(reverse("accounts:profile")),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        _assert_on_site_root(where, response.content.decode())

    page = pages["campaign page, anonymous"].content.decode()
    assert share in page, "the share link"
    assert embed in page, "the embed code"
    assert share in pages["embed"].content.decode(), "the embed links back to the campaign"
    assert "127.0.0.1" not in page and "localhost" not in page


# Emails ----------------------------------------------------------------------------------------


def _account_emails(make_member: MakeMember) -> None:
    """allauth's emails, asked for as a visitor would: through its pages."""
    known = make_member(email="known@example.org")
    logged_in = Client()
    logged_in.force_login(known)  # a code to confirm it is them, before a sensitive change
    logged_in.post(reverse("account_request_reauthentication_code"), {"recipient": known.email})
    Client().post(reverse("account_signup"), {**SIGNUP, "email": "newcomer@example.org"})
    Client().post(reverse("account_signup"), {**SIGNUP, "email": "known@example.org"})
    Client().post(reverse("account_reset_password"), {"email": "known@example.org"})
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})


def _campaign_emails(make_member: MakeMember, make_campaign: MakeCampaign) -> None:
    """Released, won and triggered stages, and the verdict ballots' own messages."""

    def pledged_stage(pledgers: int) -> tuple[Stage, list[User]]:
        stage = make_campaign(people=3).stages.get(number=1)
        members = [make_member() for _ in range(pledgers)]
        for member in members:
            pledge_create(stage=stage, member=member, option_keys=["stop-dues"])
        return stage, members

    released, _ = pledged_stage(pledgers=1)  # fewer than the 3 it needs
    stage_resolve_deadline(stage_id=released.pk, now=released.deadline)

    for answer in ("yes", "no"):  # won; triggered (a verdict needs at least 5 voters)
        stage, members = pledged_stage(pledgers=5)
        stage_resolve_deadline(stage_id=stage.pk, now=stage.deadline)
        stage.refresh_from_db()
        ballot = stage.verdict_ballot
        assert ballot is not None
        for member in members:
            ballot_cast(
                ballot=ballot,
                member=member,
                receipt_hash=hashlib.sha256(f"{ballot.pk}-{member.pk}".encode()).hexdigest(),
                answers={"1": answer},
                now=ballot.opens_at + timedelta(hours=1),
            )
        ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
        stage_resolve_verdict(stage_id=stage.pk, now=stage.deadline + timedelta(days=8))


def _group_emails(make_member: MakeMember, make_group: MakeGroup) -> None:
    """A ballot opened, reminded and counted; an invitation; an update and a digest; a
    proposal's threshold reached, an amendment to it and a reply to a comment on it; a
    nomination received and seconded; a decision on the group's affiliation."""
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    ballot = ballot_open(ballot=ballot_make(organiser=organiser, group=group, hours_open=72))
    ballots_remind_due(now=ballot.closes_at - timedelta(hours=23))
    ballot_close(ballot=ballot, actor=None, now=ballot.closes_at)
    invitation_create(group=group, organiser=organiser, email="invitee@example.org")

    reader, digest_reader = make_member(consents=CAMPAIGNER), make_member(consents=CAMPAIGNER)
    for member in (reader, digest_reader):
        group_join(group=group, member=member)
        campaign_update(member, group, 1)
    preference_set(member=digest_reader, group=group, frequency=Frequency.DAILY)
    messages_deliver_due()  # holds the update for the digest
    assert digests_send(frequency=Frequency.DAILY) == 1
    # No workflow sends this kind any more; queued as its templates expect.
    message_enqueue(
        key=f"test:verification:{reader.pk}",
        kind=MessageClass.SERVICE,
        recipient=reader,
        template="email_verification",
        context={"verify_url": absolute_url(reverse("account_email"))},
    )
    # A proposal that reaches its supporters (one, here): its proposer is told.
    proposal_settings_update(
        organiser=organiser,
        group=group,
        threshold_kind="people",
        threshold_people=1,
        threshold_percent=5,
        support_days=28,
    )
    draft = proposal_draft_create(proposer=reader, group=group, title="Homes", text="Build.")
    proposal = proposal_open(proposal=draft, proposer=reader)
    proposal_support(proposal=proposal, member=organiser)
    amendment_propose(proposal=proposal, author=organiser, proposed_text="Build more.")
    comment = comment_create(proposal=proposal, author=reader, text="Agreed?")
    comment_create(proposal=proposal, author=organiser, text="Agreed.", parent=comment)
    # A nomination, received and seconded: the nominee is told each time.
    period = nomination_period_create(
        organiser=organiser,
        group=group,
        post="Branch secretary",
        closes_at=timezone.now() + timedelta(days=7),
    )
    nomination = nomination_create(period=period, nominator=organiser, nominee=reader)
    nomination_second(nomination=nomination, seconder=digest_reader)
    # The group applies to join the network, which the coordinator is told; a coordinator's
    # decision is sent to its organisers.
    coordinator = make_member(coordinator=True)
    affiliation_decide(
        affiliation=affiliation_apply(group=group, organiser=organiser),
        coordinator=coordinator,
        approve=True,
    )


def _event_emails(make_member: MakeMember, make_group: MakeGroup) -> None:
    """An event's place given from the waiting list, its reminders a day and an hour before,
    its change of time and its cancellation."""
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    starts = timezone.now() + timedelta(days=3)
    details = EventDetails(
        title="Branch meeting",
        description="",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        in_person=False,
        district="",
        venue="",
        online=True,
        meeting_url="https://meet.example.org/branch",
        capacity=1,
    )
    event = event_create(organiser=organiser, group=group, details=details)
    first, second = make_member(), make_member()
    rsvp_create(event=event, member=first)
    rsvp_create(event=event, member=second)
    rsvp_cancel(event=event, member=first)
    events_remind_due(now=starts - timedelta(hours=23))
    events_remind_due(now=starts - timedelta(minutes=30))
    later = replace(
        details, starts_at=starts + timedelta(days=1), ends_at=details.ends_at + timedelta(days=1)
    )
    event_update(organiser=organiser, event=event, details=later)
    event_cancel(organiser=organiser, event=event)


def _introduction_emails(make_member: MakeMember, make_group: MakeGroup) -> None:
    """Asked for, accepted and withdrawn; asked for and declined."""
    both = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)
    organiser = make_member(mfa=True, consents=both)
    asker = make_member(consents=both)
    accepted = introduction_ask_group(
        asker=asker, group=make_group(organiser=organiser), message="Hello"
    )
    introduction_accept(introduction=accepted, member=organiser)
    introduction_withdraw(introduction=accepted, member=asker)
    declined = introduction_ask_group(
        asker=asker, group=make_group(organiser=organiser), message="Hello"
    )
    introduction_decline(introduction=declined, member=organiser)


def _privacy_emails(make_member: MakeMember) -> None:
    """A member's data download, ready."""
    export = data_export_request(member=make_member())
    assert data_export_build(export_id=export.pk)


def _everything_in(message: EmailMessage) -> Iterator[tuple[str, str]]:
    """(where, text) of every header the sender wrote and every body, decoded."""
    for name, value in message.items():
        yield name, str(value)
    for part in message.walk():
        if part.get_content_maintype() == "text":
            yield part.get_content_type(), str(part.get_content())


@pytest.mark.django_db
def test_every_kind_of_email_links_only_under_site_root_and_names_no_host_and_port(
    site_root: str,
    smtp_sink: SmtpSink,
    make_member: MakeMember,
    make_group: MakeGroup,
    make_campaign: MakeCampaign,
) -> None:
    _account_emails(make_member)
    _campaign_emails(make_member, make_campaign)
    _group_emails(make_member, make_group)
    _event_emails(make_member, make_group)
    _introduction_emails(make_member, make_group)
    _privacy_emails(make_member)
    sent_kinds = set(Message.objects.values_list("template", flat=True))
    assert sent_kinds == set(KINDS) | ADDRESSED_KINDS
    while messages_deliver_due().sent:
        pass

    received = smtp_sink.messages
    sent = Message.objects.filter(status=MessageStatus.SENT)
    assert set(sent.values_list("template", flat=True)) == set(KINDS) | ADDRESSED_KINDS
    assert len(received) == sent.count()
    links = 0
    for message in received:
        subject = str(message["Subject"])
        for where, text in _everything_in(message):
            links += len(_assert_on_site_root(f"{subject} ({where})", text))
            assert "127.0.0.1" not in text and "localhost" not in text, (subject, where, text)
            assert not HOST_AND_PORT.search(text), (subject, where, text)
    assert links >= 2 * len(received), "every email links to the site (text and HTML)"

    account = [m for m in received if str(m["Subject"]).startswith("[Rank and File] ")]
    # log-in code, confirm, already exists, reset, unknown account
    assert len(account) == 5, [str(m["Subject"]) for m in account]
    for message in account:
        text = str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert text.startswith("Hello from Rank and File!"), text
        assert text.rstrip().endswith("Thank you for using Rank and File!"), text
        assert SITE_ROOT + "/accounts/" in text or "log-in code" in text, text


# rankandfile run ADDRESS -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "root"),
    [
        ("0.0.0.0:8400", "http://127.0.0.1:8400"),
        ("8400", "http://127.0.0.1:8400"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("[::]:8000", "http://[::1]:8000"),
    ],
)
def test_the_address_served_on_becomes_the_site_root(address: str, root: str) -> None:
    assert cli.site_root_for(address) == root


class _Exited:
    """A child process that has already finished: ``_run`` returns at once."""

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


def _run_and_record(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> list[dict[str, Any]]:
    """Start ``rankandfile run`` with its children replaced by finished ones; each child's
    command and SITE_ROOT, as it would have been started with."""
    started: list[dict[str, Any]] = []

    def popen(command: list[str], **kwargs: Any) -> _Exited:
        started.append(
            {
                "command": command,
                "SITE_ROOT": os.environ.get("SITE_ROOT"),
                "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS"),
            }
        )
        return _Exited()

    monkeypatch.setattr(cli.subprocess, "Popen", popen)
    assert cli.main(["run", *argv]) == 0
    return started


def test_rankandfile_run_gives_its_address_to_the_server_worker_and_clock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SITE_ROOT", "ALLOWED_HOSTS"):  # unset here, restored after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    started = _run_and_record(monkeypatch, ["0.0.0.0:8400"])
    assert [s["command"][-1] for s in started] == ["db_worker", "clock", "0.0.0.0:8400"]
    assert {s["SITE_ROOT"] for s in started} == {"http://127.0.0.1:8400"}
    assert {s["ALLOWED_HOSTS"] for s in started} == {"127.0.0.1,localhost"}
    assert "running at http://127.0.0.1:8400/" in capsys.readouterr().out

    for name in ("SITE_ROOT", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name)
    started = _run_and_record(monkeypatch, ["192.168.1.20:8000"])
    assert {s["SITE_ROOT"] for s in started} == {"http://192.168.1.20:8000"}
    assert {s["ALLOWED_HOSTS"] for s in started} == {"127.0.0.1,localhost,192.168.1.20"}

    for name in ("SITE_ROOT", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name)
    started = _run_and_record(monkeypatch, [])
    assert {s["SITE_ROOT"] for s in started} == {"http://127.0.0.1:8000"}


def test_a_site_root_set_in_the_environment_wins_over_the_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SITE_ROOT", SITE_ROOT)
    monkeypatch.setenv("ALLOWED_HOSTS", "organise.example.org")
    started = _run_and_record(monkeypatch, ["0.0.0.0:8400"])
    assert {s["ALLOWED_HOSTS"] for s in started} == {"organise.example.org"}
    assert {s["SITE_ROOT"] for s in started} == {SITE_ROOT}
    assert f"its links at {SITE_ROOT}/" in capsys.readouterr().out


def test_the_processes_run_starts_read_site_root_from_the_environment() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rankandfile",
            "manage",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SITE_ROOT)",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SITE_ROOT": "http://127.0.0.1:8400"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "http://127.0.0.1:8400"
