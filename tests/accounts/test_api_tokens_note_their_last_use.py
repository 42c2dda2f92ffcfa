"""A personal API token finds its member, and notes (to the hour) when it was last used.

The note is written behind the request: gathered in memory and written by one statement a few
seconds after the first use (rankandfile/accounts/token_uses.py), so that an API call costs no
write of its own.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from rankandfile.accounts.models import ApiToken, TokenScope
from rankandfile.accounts.services import api_token_authenticate, api_token_create
from rankandfile.accounts.token_uses import token_uses_write
from tests.personas import MakeMember


def _last_used(token_id: int) -> object:
    return ApiToken.objects.get(pk=token_id).last_used_at


@pytest.mark.django_db(transaction=True)  # outside any transaction, as a request runs it
def test_a_token_finds_its_member_and_its_use_is_written_at_most_hourly(
    make_member: MakeMember,
) -> None:
    member = make_member()
    api_token, token = api_token_create(member=member, name="phone", scope=TokenScope.READ_WRITE)
    assert _last_used(api_token.pk) is None

    found = api_token_authenticate(token)
    assert found is not None and found.member.pk == member.pk
    assert _last_used(api_token.pk) is None  # gathered, not yet written
    api_token_authenticate(token)
    assert token_uses_write() == 1
    first = _last_used(api_token.pk)
    assert isinstance(first, type(timezone.now())) and timezone.now() - first < timedelta(minutes=1)

    api_token_authenticate(token)  # within the hour: nothing more to write
    assert token_uses_write() == 0
    assert _last_used(api_token.pk) == first

    an_hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=an_hour_ago)
    api_token_authenticate(token)
    assert token_uses_write() == 1
    assert _last_used(api_token.pk) != an_hour_ago


@pytest.mark.django_db(transaction=True)
def test_a_use_another_process_already_wrote_this_hour_is_not_written_again(
    make_member: MakeMember,
) -> None:
    api_token, token = api_token_create(
        member=make_member(), name="laptop", scope=TokenScope.READ_WRITE
    )
    api_token_authenticate(token)  # this process saw it unused...
    just_now = timezone.now() - timedelta(minutes=1)
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=just_now)  # ...another wrote it
    assert token_uses_write() == 0
    assert _last_used(api_token.pk) == just_now


@pytest.mark.django_db(transaction=True)
def test_the_timer_writes_the_uses_by_itself(make_member: MakeMember) -> None:
    tokens = [
        api_token_create(member=make_member(), name="phone", scope=TokenScope.READ_WRITE)
        for _ in range(3)
    ]
    with override_settings(API_TOKEN_USE_WRITE_SECONDS=0.2):
        for _, token in tokens:
            assert api_token_authenticate(token) is not None
    waited = 0.0
    while any(_last_used(t.pk) is None for t, _ in tokens) and waited < 10:
        time.sleep(0.1)
        waited += 0.1
    assert all(_last_used(t.pk) is not None for t, _ in tokens)
    assert token_uses_write() == 0  # nothing left over


@pytest.mark.django_db(transaction=True)
def test_unknown_and_inactive_tokens_find_nobody(make_member: MakeMember) -> None:
    member = make_member()
    _, token = api_token_create(member=member, name="laptop", scope=TokenScope.READ_WRITE)
    assert api_token_authenticate("rf_not-a-token") is None
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert api_token_authenticate(token) is None
    assert token_uses_write() == 0
