from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from rankandfile.operations.schedule import jobs_due


def _names(now: datetime) -> list[tuple[str, tuple[str, ...]]]:
    return [(job.task.name, job.args) for job in jobs_due(now)]


def test_every_minute_the_deadline_ballot_and_mail_jobs_are_due() -> None:
    names = [name for name, _ in _names(datetime(2026, 11, 24, 12, 30, tzinfo=UTC))]
    assert names == [
        "ballots_open_due",
        "ballots_remind_due",
        "ballots_close_due",
        "nominations_close_due",
        "campaigns_resolve_due",
        "conversations_close_due",
        "proposals_resolve_due",
        "slates_resolve_due",
        "events_remind_due",
        "outbox_deliver",
    ]


def test_digests_go_at_seven_london_time_weekly_on_mondays() -> None:
    # 2026-11-23 is a Monday; in November London is on GMT.
    monday_seven = _names(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    assert ("digests_send", ("daily",)) in monday_seven
    assert ("digests_send", ("weekly",)) in monday_seven
    tuesday_seven = _names(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    assert ("digests_send", ("daily",)) in tuesday_seven
    assert ("digests_send", ("weekly",)) not in tuesday_seven
    # In summer (BST) 07:00 in London is 06:00 UTC.
    assert ("digests_send", ("daily",)) in _names(datetime(2026, 7, 1, 6, 0, tzinfo=UTC))


def test_expired_account_email_and_invitations_are_cleared_hourly() -> None:
    assert ("outbox_expire_addressed", ()) in _names(datetime(2026, 11, 24, 12, 5, tzinfo=UTC))
    assert ("outbox_expire_addressed", ()) not in _names(datetime(2026, 11, 24, 12, 6, tzinfo=UTC))


def test_personal_data_past_its_retention_period_is_deleted_daily_at_half_past_three() -> None:
    due = [
        (hour, minute)
        for hour in range(24)
        for minute in range(60)
        if ("privacy_retention_run", ()) in _names(datetime(2026, 11, 24, hour, minute, tzinfo=UTC))
    ]
    assert due == [(3, 30)]  # GMT in November
    # In summer (BST) 03:30 in London is 02:30 UTC.
    assert ("privacy_retention_run", ()) in _names(datetime(2026, 7, 1, 2, 30, tzinfo=UTC))


def test_expired_member_imports_are_deleted_hourly() -> None:
    assert ("member_imports_expire", ()) in _names(datetime(2026, 11, 24, 12, 5, tzinfo=UTC))
    assert ("member_imports_expire", ()) not in _names(datetime(2026, 11, 24, 12, 6, tzinfo=UTC))


def test_published_campaign_figures_are_looked_at_every_ten_minutes() -> None:
    due = [
        m
        for m in range(60)
        if ("campaigns_release_figures", ()) in _names(datetime(2026, 11, 24, 12, m, tzinfo=UTC))
    ]
    assert due == [3, 13, 23, 33, 43, 53]


@pytest.mark.django_db
def test_the_clock_enqueues_the_due_jobs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    # An ordinary minute: no hourly or daily job is due.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 24, 12, 30, tzinfo=UTC))
    call_command("clock", "--once")
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == sorted(
        [
            "rankandfile.ballots.tasks.ballots_close_due",
            "rankandfile.ballots.tasks.ballots_open_due",
            "rankandfile.ballots.tasks.ballots_remind_due",
            "rankandfile.ballots.tasks.nominations_close_due",
            "rankandfile.campaigns.tasks.campaigns_resolve_due",
            "rankandfile.events.tasks.events_remind_due",
            "rankandfile.notifications.tasks.outbox_deliver",
            "rankandfile.opinions.tasks.conversations_close_due",
            "rankandfile.proposals.tasks.proposals_resolve_due",
            "rankandfile.proposals.tasks.slates_resolve_due",
        ]
    )
