"""A queued message's context (an address, names, one-time links) is encrypted at rest; the
empty context is stored empty; the migration encrypts existing rows and its reverse decrypts
them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from rankandfile.notifications.models import Message
from rankandfile.notifications.services import message_enqueue_to_address


def _raw(pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT context FROM notifications_message WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _json(value: Any) -> Any:
    """A JSON column as the driver gives it: text (SQLite), or decoded (PostgreSQL's jsonb)."""
    return json.loads(value) if isinstance(value, str) else value


def _queue(address: str) -> Message:
    return message_enqueue_to_address(
        key=f"test:{address}",
        template="group_invitation",
        address=address,
        context={"group_name": "Leeds Tenants", "link": "https://example.org/i/x", "days": 14},
    )


@pytest.mark.django_db
def test_a_queued_context_is_stored_encrypted_and_read_back() -> None:
    message = _queue("kept.secret@example.org")
    assert _raw(message.pk).startswith("enc1:")
    assert "kept.secret" not in _raw(message.pk)
    assert Message.objects.get(pk=message.pk).context["to"] == "kept.secret@example.org"
    Message.objects.filter(pk=message.pk).update(context={})
    assert _raw(message.pk) == ""
    assert Message.objects.get(context={}).context == {}


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_contexts_and_its_reverse_decrypts_them() -> None:
    messages = [_queue(f"existing{n}@example.org") for n in range(3)]
    Message.objects.filter(pk=messages[0].pk).update(context={})
    call_command("migrate", "notifications", "0005", verbosity=0)
    try:
        assert _json(_raw(messages[1].pk))["to"] == "existing1@example.org"
        assert _json(_raw(messages[0].pk)) == {}
    finally:
        call_command("migrate", verbosity=0)  # every app: going back unapplied the dependents too
    assert _raw(messages[1].pk).startswith("enc1:")
    assert _raw(messages[0].pk) == ""
    assert Message.objects.get(pk=messages[2].pk).context["to"] == "existing2@example.org"
