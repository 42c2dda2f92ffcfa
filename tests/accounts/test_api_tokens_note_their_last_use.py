"""A personal API token finds its member, and notes (to the hour) when it was last used.

The note is an ordinary conditional UPDATE made by the request itself, at most once an hour
per token: the other uses within the hour cost no write.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from rankandfile.accounts.models import ApiToken, TokenScope
from rankandfile.accounts.services import api_token_authenticate, api_token_create
from tests.personas import MakeMember


def _last_used(token_id: int) -> object:
    return ApiToken.objects.get(pk=token_id).last_used_at


@pytest.mark.django_db(transaction=True)  # outside any transaction, as a request runs it
def test_a_token_finds_its_member_and_its_use_is_written_at_most_hourly(
    make_member: MakeMember, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    member = make_member()
    api_token, token = api_token_create(member=member, name="phone", scope=TokenScope.READ_WRITE)
    assert _last_used(api_token.pk) is None

    with django_assert_num_queries(2):  # the token with its member, and the note of its use
        found = api_token_authenticate(token)
    assert found is not None and found.member.pk == member.pk and found.may_write
    first = _last_used(api_token.pk)
    assert isinstance(first, type(timezone.now())) and timezone.now() - first < timedelta(minutes=1)

    with django_assert_num_queries(1):  # within the hour: the token and its member only
        again = api_token_authenticate(token)
    assert again is not None and again.member.pk == member.pk
    assert _last_used(api_token.pk) == first

    an_hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=an_hour_ago)
    with django_assert_num_queries(2):
        api_token_authenticate(token)
    later = _last_used(api_token.pk)
    assert isinstance(later, type(timezone.now())) and later > an_hour_ago + timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_unknown_expired_and_inactive_tokens_find_nobody_and_note_nothing(
    make_member: MakeMember,
) -> None:
    member = make_member()
    api_token, token = api_token_create(member=member, name="laptop", scope=TokenScope.READ)
    assert api_token_authenticate("rf_not-a-token") is None
    ApiToken.objects.filter(pk=api_token.pk).update(
        created_at=api_token.created_at - timedelta(days=100),
        expires_at=api_token.created_at - timedelta(minutes=1),
    )
    assert api_token_authenticate(token) is None
    ApiToken.objects.filter(pk=api_token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert api_token_authenticate(token) is None
    assert _last_used(api_token.pk) is None
