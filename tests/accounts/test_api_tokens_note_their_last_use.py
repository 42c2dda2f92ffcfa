"""A personal API token finds its member, and notes (to the hour) when it was last used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rankandfile.accounts.models import ApiToken
from rankandfile.accounts.services import api_token_authenticate, api_token_create
from tests.personas import MakeMember


def _last_used(token_id: int) -> object:
    return ApiToken.objects.get(pk=token_id).last_used_at


@pytest.mark.django_db(transaction=True)  # outside any transaction, as a request runs it
def test_a_token_finds_its_member_and_notes_its_use_at_most_hourly(
    make_member: MakeMember,
) -> None:
    member = make_member()
    api_token, token = api_token_create(member=member, name="phone")
    assert _last_used(api_token.pk) is None

    found = api_token_authenticate(token)
    assert found is not None and found.pk == member.pk
    first = _last_used(api_token.pk)
    assert isinstance(first, type(timezone.now())) and timezone.now() - first < timedelta(minutes=1)

    api_token_authenticate(token)  # within the hour: no new note
    assert _last_used(api_token.pk) == first

    an_hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=an_hour_ago)
    api_token_authenticate(token)
    assert _last_used(api_token.pk) != an_hour_ago

    if connection.vendor == "postgresql":
        # The note is committed without waiting for the disk; nothing else is.
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


@pytest.mark.django_db(transaction=True)
def test_unknown_and_inactive_tokens_find_nobody(make_member: MakeMember) -> None:
    member = make_member()
    _, token = api_token_create(member=member, name="laptop")
    assert api_token_authenticate("rf_not-a-token") is None
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert api_token_authenticate(token) is None


@pytest.mark.django_db
def test_inside_a_transaction_the_note_is_an_ordinary_write(make_member: MakeMember) -> None:
    api_token, token = api_token_create(member=make_member(), name="tablet")
    assert api_token_authenticate(token) is not None
    assert _last_used(api_token.pk) is not None
