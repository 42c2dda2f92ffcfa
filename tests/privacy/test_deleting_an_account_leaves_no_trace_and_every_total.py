"""After "delete my account", no table holds the member's email, name, district or id outside
anonymous totals, nobody else's rows change, and every campaign, ballot and conversation total
is as it was. Every table is snapshotted (every model, and a raw dump of every table) before and
after."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.db.models.deletion import Collector

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.ballots.models import BallotPaper, RollEntry
from rankandfile.campaigns.models import OptionTally, RegionTally, StageTally
from rankandfile.events.models import Rsvp
from rankandfile.opinions.models import Participant, Statement, Vote
from rankandfile.privacy.erasure import account_erase
from rankandfile.privacy.models import ErasedConsentCount
from rankandfile.proposals.models import Comment
from tests.personas import MakeGroup, MakeMember
from tests.privacy.world import DISTRICT, EMAIL, NAME, member_in_every_app

Row = tuple[tuple[str, Any], ...]

# What erasure may change in rows that are not the member's own: the member's conversation
# participant loses its key; audit entries about the member lose their id; the member's
# content rows keep their place with the author cleared (checked below, by their FK); their
# login sessions (which name them only inside the encoded session data) end.
MAY_CHANGE = {Participant, AuditEntry, Session}


def _user_columns(model: type[models.Model]) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]


def _models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _rows(model: type[models.Model]) -> dict[Any, Row]:
    names = [field.attname for field in model._meta.concrete_fields]
    return {
        values[model._meta.pk.attname]: tuple(zip(names, values.values(), strict=True))
        for values in model._base_manager.values(*names)
    }


def _snapshot() -> dict[type[models.Model], dict[Any, Row]]:
    return {model: _rows(model) for model in _models()}


def _deleted_with(member: User) -> set[tuple[type[models.Model], Any]]:
    """The rows that deleting the user row takes with it (Django's cascade), as (model, pk)."""
    collector = Collector(using="default")
    collector.collect([member])
    rows = {(type(obj), obj.pk) for objs in collector.data.values() for obj in objs}
    for queryset in collector.fast_deletes:
        rows |= {(queryset.model, pk) for pk in queryset.values_list("pk", flat=True)}
    return rows


def _raw_dump() -> dict[str, list[str]]:
    """Every row of every table, as the database gives it, as text."""
    dump: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump[table] = [repr(row) for row in cursor.fetchall()]
    return dump


def _holding(dump: dict[str, list[str]], text: str) -> dict[str, int]:
    needle = text.lower()
    found = {table: sum(needle in row.lower() for row in rows) for table, rows in dump.items()}
    return {table: n for table, n in found.items() if n}


def _totals() -> dict[str, object]:
    def rows(model: type[models.Model], *fields: str) -> list[tuple[Any, ...]]:
        return sorted(model.objects.values_list(*fields))

    return {
        "stage tallies": rows(
            StageTally,
            "stage_id",
            "shard",
            "pledges",
            "verified_pledges",
            "amount_pence",
            "confirmed",
        ),
        "option tallies": rows(OptionTally, "option_id", "shard", "pledges"),
        "region tallies": rows(RegionTally, "stage_id", "shard", "area", "pledges"),
        "ballot papers": rows(BallotPaper, "receipt_hash", "ballot_id", "contents"),
        "roll": rows(RollEntry, "ballot_id", "has_voted"),
        "conversation votes": rows(Vote, "participant_id", "statement_id", "value"),
        "participants": rows(Participant, "conversation_id", "number"),
        "statements": rows(Statement, "conversation_id", "number", "text"),
    }


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_leaves_no_trace_and_every_total(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = member_in_every_app(make_member, make_group)
    member_id = world.member.pk
    before, raw_before, totals_before = _snapshot(), _raw_dump(), _totals()
    cascade = _deleted_with(world.member)
    assert _holding(raw_before, EMAIL) and _holding(raw_before, NAME)
    # The district is stored encrypted (it never shows in a raw dump); the member has it.
    assert world.member.postcode_district == DISTRICT
    owned_before = {
        model: sum(
            1
            for row in rows.values()
            for col, v in row
            if col in _user_columns(model)
            if v == member_id
        )
        for model, rows in before.items()
    }
    assert sum(owned_before.values()) >= 25, owned_before  # the member is in every app

    account_erase(member=world.member, delete_contributions=False)

    after, raw_after = _snapshot(), _raw_dump()
    assert _holding(raw_after, EMAIL) == {}
    assert _holding(raw_after, NAME) == {}
    assert _holding(raw_after, f"'{DISTRICT}'") == {}
    assert _totals() == totals_before
    assert not User.objects.filter(pk=member_id).exists()

    # No column that names a member names them, in any table.
    still_theirs = {
        model._meta.label: column
        for model in _models()
        for column in _user_columns(model)
        if model._base_manager.filter(**{column: member_id}).exists()
    }
    assert still_theirs == {}
    assert not AuditEntry.objects.filter(target_type="member", target_id=str(member_id)).exists()

    # Nobody else's rows changed (the waiting list's promotion is tested on its own); the
    # member's own rows went, or stayed with the link cleared.
    for model in _models():
        columns = _user_columns(model)
        for pk, row in before[model].items():
            values = dict(row)
            theirs = (
                any(values[column] == member_id for column in columns)
                or (model, pk) in cascade
                or EMAIL in repr(row)  # a row about them held for someone else
                or NAME in repr(row)
            )
            if theirs or model in MAY_CHANGE or model is Rsvp:
                continue
            assert after[model].get(pk) == row, (model._meta.label, pk)
        if model is Statement or model is Comment:
            kept = [pk for pk, row in before[model].items() if dict(row)["author_id"] == member_id]
            assert all(dict(after[model][pk])["author_id"] is None for pk in kept)

    # Logged out everywhere; consents kept only as counts.
    assert not Session.objects.filter(
        session_key=world.client.cookies[settings.SESSION_COOKIE_NAME].value
    ).exists()
    assert sum(ErasedConsentCount.objects.values_list("count", flat=True)) == 3


@pytest.mark.django_db
def test_a_member_may_have_their_comments_and_unvoted_statements_deleted_with_their_account(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    world = member_in_every_app(make_member, make_group)
    comments = list(Comment.objects.filter(author=world.member).values_list("pk", flat=True))
    assert comments
    own = Statement.objects.get(text="Go, and take the funds.")
    votes_before = sorted(
        Vote.objects.exclude(statement=own).values_list("participant_id", "statement_id", "value")
    )

    account_erase(member=world.member, delete_contributions=True)

    assert not Comment.objects.filter(pk__in=comments, deleted=False).exists()
    assert not Comment.objects.filter(pk__in=comments).exclude(text="").exists()
    assert not Statement.objects.filter(text="Go, and take the funds.").exists()
    assert Statement.objects.filter(text="Stay.").exists()
    assert _totals()["conversation votes"] == votes_before
