"""The retention job deletes exactly what is past its period, with the clock moved: for each
kind, a row one second past its period goes and a row one second short of it stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import Model
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankandfile.accounts.consents import ConsentPurpose
from rankandfile.accounts.models import ApiToken, Skill, TokenScope, User
from rankandfile.accounts.services import api_token_create
from rankandfile.audit.models import AuditEntry
from rankandfile.audit.services import audit_record
from rankandfile.events.models import Event, Rsvp, SessionChoice
from rankandfile.events.services import (
    SessionDetails,
    rsvp_create,
    session_choose,
    session_create,
)
from rankandfile.groups.models import Group, Invitation
from rankandfile.groups.services import group_join
from rankandfile.introductions.models import Introduction, IntroductionMatch
from rankandfile.introductions.services import (
    introduction_accept,
    introduction_ask_group,
    introduction_ask_skill,
    introduction_decline,
    introduction_withdraw,
)
from rankandfile.notifications.models import Message, MessageClass, MessageStatus
from rankandfile.notifications.services import invitation_create
from rankandfile.opinions.models import Participant, Statement
from rankandfile.opinions.services import conversation_close, conversation_create, vote_cast
from rankandfile.privacy.retention import privacy_retention_run
from rankandfile.privacy.retention_tasks import privacy_retention_run as retention_task
from tests.events.helpers import make_event
from tests.personas import MakeGroup, MakeMember, signup_form

NOW = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
INTRODUCING = (ConsentPurpose.MEMBERSHIP, ConsentPurpose.INTRODUCTIONS)


def _past(days: int) -> datetime:
    """One second more than ``days`` before NOW: past the period."""
    return NOW - timedelta(days=days) - SECOND


def _within(days: int) -> datetime:
    """One second less than ``days`` before NOW: not yet past it."""
    return NOW - timedelta(days=days) + SECOND


def _set(row: Model, **fields: Any) -> None:
    type(row)._default_manager.filter(pk=row.pk).update(**fields)


def _exists(row: Model) -> bool:
    return type(row)._default_manager.filter(pk=row.pk).exists()


def _sign_up(email: str) -> User:
    response = Client().post("/accounts/signup/", signup_form(email))
    assert response.status_code == 302, response.content
    return User.objects.get(email=email)


@pytest.mark.django_db
def test_accounts_never_verified_nor_used_go_seven_days_after_sign_up_with_their_data(
    make_member: MakeMember,
) -> None:
    past, within = _sign_up("past@example.org"), _sign_up("within@example.org")
    verified = make_member()
    logged_in = _sign_up("logged-in@example.org")
    staff = User.objects.create_superuser("admin@example.org", "a long enough passphrase")
    for member in (past, verified, logged_in, staff):
        _set(member, date_joined=_past(7))
    _set(within, date_joined=_within(7))
    _set(logged_in, last_login=_within(7))

    counts = privacy_retention_run(now=NOW)

    assert counts["unverified_accounts"] == 1
    assert not _exists(past)
    assert not EmailAddress.objects.filter(email="past@example.org").exists()
    assert not Message.objects.filter(recipient_id=past.pk).exists()
    assert all(_exists(member) for member in (within, verified, logged_in, staff))


def _message(n: int, status: str, **fields: Any) -> Message:
    return Message.objects.create(
        key=f"test:{n}",
        message_class=MessageClass.SERVICE,
        template="introduction_declined",
        status=status,
        next_attempt_at=NOW,
        **fields,
    )


@pytest.mark.django_db
def test_sent_messages_go_thirty_days_after_sending_and_unsent_ones_stay(
    make_member: MakeMember,
) -> None:
    member = make_member()
    sent_past = _message(1, MessageStatus.SENT, recipient=member, sent_at=_past(30))
    sent_within = _message(2, MessageStatus.SENT, recipient=member, sent_at=_within(30))
    digested_past = _message(3, MessageStatus.DIGESTED, recipient=member, sent_at=_past(30))
    skipped_past = _message(4, MessageStatus.SKIPPED, recipient=member)
    skipped_within = _message(5, MessageStatus.SKIPPED, recipient=member)
    queued_old = _message(6, MessageStatus.QUEUED, recipient=member)
    _set(skipped_past, created_at=_past(30))
    _set(skipped_within, created_at=_within(30))
    _set(queued_old, created_at=_past(300))

    counts = privacy_retention_run(now=NOW)

    assert counts["sent_messages"] == 3
    assert [_exists(m) for m in (sent_past, digested_past, skipped_past)] == [False] * 3
    assert [_exists(m) for m in (sent_within, skipped_within, queued_old)] == [True] * 3


@pytest.mark.django_db
def test_dead_letters_go_ninety_days_after_their_last_attempt(make_member: MakeMember) -> None:
    member = make_member()
    dead_past = _message(1, MessageStatus.DEAD, recipient=member)
    dead_within = _message(2, MessageStatus.DEAD, recipient=member)
    failed_old = _message(3, MessageStatus.FAILED, recipient=member)
    _set(dead_past, next_attempt_at=_past(90))
    _set(dead_within, next_attempt_at=_within(90))
    _set(failed_old, next_attempt_at=_past(300))

    counts = privacy_retention_run(now=NOW)

    assert counts["dead_letters"] == 1
    assert not _exists(dead_past)
    assert _exists(dead_within) and _exists(failed_old)


@pytest.fixture
def skill(db: None) -> Skill:
    skill, _ = Skill.objects.get_or_create(slug="canvassing", defaults={"name": "Canvassing"})
    return skill


@pytest.mark.django_db
def test_introductions_go_ninety_days_after_they_closed_or_were_last_answered(
    make_member: MakeMember, make_group: MakeGroup, skill: Skill
) -> None:
    organiser = make_member(mfa=True, consents=INTRODUCING)
    group = make_group(organiser=organiser)

    def ask_group() -> Introduction:
        return introduction_ask_group(
            asker=make_member(consents=INTRODUCING), group=group, message="Hello there."
        )

    declined = {}
    for name in ("past", "within"):
        declined[name] = introduction_decline(introduction=ask_group(), member=organiser)
    withdrawn = {}
    for name in ("past", "within"):
        asked = ask_group()
        withdrawn[name] = introduction_withdraw(introduction=asked, member=asked.asker)
    accepted_long_ago = introduction_accept(introduction=ask_group(), member=organiser)
    open_unanswered = {name: ask_group() for name in ("past", "within")}
    # An open request for a skill counts from its last answer by a matched member.
    helper = make_member(consents=INTRODUCING, district="LS6")
    helper.skills.add(skill)
    answered_lately = introduction_ask_skill(
        asker=make_member(consents=INTRODUCING),
        skill=skill,
        district="LS6",
        radius_km=10,
        message="Canvassing help?",
    )
    introduction_decline(introduction=answered_lately, member=helper)

    long_ago = NOW - timedelta(days=1000)
    everything = Introduction.objects.all()
    everything.update(created_at=long_ago)
    for name, moment in (("past", _past(90)), ("within", _within(90))):
        _set(declined[name], decided_at=moment)
        _set(withdrawn[name], withdrawn_at=moment)
        _set(open_unanswered[name], created_at=moment)
    _set(accepted_long_ago, decided_at=long_ago)
    IntroductionMatch.objects.filter(introduction=answered_lately).update(answered_at=_within(90))

    counts = privacy_retention_run(now=NOW)

    assert counts["introductions"] == 3
    gone = (declined["past"], withdrawn["past"], open_unanswered["past"])
    assert [_exists(i) for i in gone] == [False] * 3
    kept = (
        declined["within"],
        withdrawn["within"],
        open_unanswered["within"],
        accepted_long_ago,
        answered_lately,
    )
    assert [_exists(i) for i in kept] == [True] * 5


@pytest.mark.django_db
def test_the_audit_log_keeps_two_years() -> None:
    entries = [
        audit_record(actor=None, action="test.entry", target_type="test", target_id=n)
        for n in range(2)
    ]
    _set(entries[0], created_at=_past(730))
    _set(entries[1], created_at=_within(730))

    counts = privacy_retention_run(now=NOW)

    assert counts["audit_entries"] == 1
    assert not _exists(entries[0]) and _exists(entries[1])
    # The run itself is audited, with counts only.
    record = AuditEntry.objects.get(action="privacy.retention_run")
    assert record.details == {"audit_entries": 1}


@pytest.mark.django_db
def test_invitations_and_api_tokens_go_thirty_days_after_they_expired(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser, visibility="hidden")
    for n in range(2):
        invitation_create(group=group, organiser=organiser, email=f"invitee{n}@example.org")
    invitations = list(Invitation.objects.order_by("pk"))
    member = make_member()
    tokens = [
        api_token_create(member=member, name=f"t{n}", scope=TokenScope.READ)[0] for n in (0, 1)
    ]
    for rows, model in ((invitations, Invitation), (tokens, ApiToken)):
        model.objects.all().update(created_at=NOW - timedelta(days=1000))
        _set(rows[0], expires_at=_past(30))
        _set(rows[1], expires_at=_within(30))

    counts = privacy_retention_run(now=NOW)

    assert counts["expired_invitations"] == 1 and counts["expired_api_tokens"] == 1
    assert not _exists(invitations[0]) and _exists(invitations[1])
    assert not _exists(tokens[0]) and _exists(tokens[1])
    assert Group.objects.filter(pk=group.pk).exists()


@pytest.mark.django_db
def test_event_replies_and_session_choices_go_ninety_days_after_the_event_ended(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(member=member, group=group)
    events = [make_event(organiser=organiser, group=group, title=f"E{n}") for n in (0, 1)]
    rsvps = [rsvp_create(event=event, member=member) for event in events]
    choices = []
    for event in events:
        session = session_create(
            organiser=organiser,
            event=event,
            details=SessionDetails(
                title="Opening",
                starts_at=event.starts_at,
                ends_at=event.starts_at + timedelta(hours=1),
                room="Hall",
                meeting_url="",
                capacity=5,
            ),
        )
        choices.append(session_choose(session=session, member=member))
    for event, ended in zip(events, (_past(90), _within(90)), strict=True):
        _set(event, starts_at=ended - timedelta(hours=2), ends_at=ended)

    counts = privacy_retention_run(now=NOW)

    assert counts["event_rsvps"] == 1 and counts["event_session_choices"] == 1
    assert not _exists(rsvps[0]) and _exists(rsvps[1])
    assert not _exists(choices[0]) and _exists(choices[1])
    assert Event.objects.count() == 2
    assert Rsvp.objects.count() == SessionChoice.objects.count() == 1


@pytest.mark.django_db
def test_finished_task_results_go_after_seven_days() -> None:
    for _ in range(3):
        retention_task.enqueue()
    past, within, unfinished = DBTaskResult.objects.order_by("enqueued_at")
    _set(past, finished_at=_past(7), status="SUCCESSFUL")
    _set(within, finished_at=_within(7), status="FAILED")

    counts = privacy_retention_run(now=NOW)

    assert counts["task_results"] == 1
    assert not _exists(past) and _exists(within) and _exists(unfinished)


@pytest.mark.django_db
def test_expired_sessions_and_their_records_are_cleared(
    make_member: MakeMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = make_member()
    keys = []
    for expires in (NOW - SECOND, NOW + SECOND):
        store = SessionStore()
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
        UserSession.objects.create(
            user=member, session_key=store.session_key, ip="192.0.2.1", user_agent="Browser"
        )
        keys.append(store.session_key)
    monkeypatch.setattr(timezone, "now", lambda: NOW)

    counts = privacy_retention_run()

    assert counts["expired_sessions"] == 1 and counts["orphaned_session_records"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [keys[1]]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [keys[1]]


@pytest.mark.django_db
def test_closed_conversations_keep_no_member_key(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    organiser = make_member(mfa=True)
    group = make_group(organiser=organiser)
    member = make_member()
    group_join(member=member, group=group)
    conversations = [
        conversation_create(
            organiser=organiser, group=group, question=f"Q{n}?", seed_statements=["Yes."]
        )
        for n in (0, 1)
    ]
    for conversation in conversations:
        statement = Statement.objects.get(conversation=conversation)
        vote_cast(conversation=conversation, statement=statement, member=member, value=1)
    conversation_close(conversation=conversations[0], organiser=organiser)
    closed = Participant.objects.filter(conversation=conversations[0])
    assert list(closed.values_list("member_key", flat=True)) == [None]
    closed.update(member_key="left-behind")  # as if closing had missed it

    counts = privacy_retention_run(now=NOW)

    assert counts["closed_conversation_keys"] == 1
    assert list(closed.values_list("member_key", flat=True)) == [None]
    still_open = Participant.objects.get(conversation=conversations[1])
    assert still_open.member_key  # an open conversation still knows its voter
    assert still_open.votes.count() == 1


@pytest.mark.django_db
def test_each_period_follows_its_setting(make_member: MakeMember) -> None:
    member = make_member()
    sent = _message(1, MessageStatus.SENT, recipient=member, sent_at=_past(3))
    with override_settings(RETENTION_SENT_MESSAGE_DAYS=5):
        assert privacy_retention_run(now=NOW)["sent_messages"] == 0
    with override_settings(RETENTION_SENT_MESSAGE_DAYS=3):
        assert privacy_retention_run(now=NOW)["sent_messages"] == 1
    assert not _exists(sent)


@pytest.mark.django_db
def test_a_dry_run_counts_what_would_go_and_deletes_nothing(
    make_member: MakeMember, capsys: pytest.CaptureFixture[str]
) -> None:
    member = make_member()
    old = _message(
        1, MessageStatus.SENT, recipient=member, sent_at=timezone.now() - timedelta(days=31)
    )

    call_command("retention_run", "--dry-run")

    assert "sent_messages: 1 would be deleted" in capsys.readouterr().out
    assert _exists(old)
    assert not AuditEntry.objects.filter(action="privacy.retention_run").exists()

    call_command("retention_run")

    assert "sent_messages: 1 deleted" in capsys.readouterr().out
    assert not _exists(old)


@pytest.mark.django_db
def test_the_daily_job_returns_the_counts_per_kind(make_member: MakeMember) -> None:
    member = make_member()
    _message(1, MessageStatus.SENT, recipient=member, sent_at=timezone.now() - timedelta(days=31))

    counts = retention_task.call()

    assert counts["sent_messages"] == 1
    assert set(counts) >= {"unverified_accounts", "expired_sessions", "closed_conversation_keys"}
