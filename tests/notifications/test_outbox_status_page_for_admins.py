"""The outbox status page shows counts by status, to staff with MFA only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.notifications.models import Message, MessageStatus
from tests.notifications.outbox import ballot_opened
from tests.personas import MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


def test_staff_with_mfa_see_counts_and_nobody_else_does(
    client: Client, make_member: MakeMember
) -> None:
    member = make_member()
    for n in range(3):
        ballot_opened(member, n, title="B")
    Message.objects.filter(key__startswith="ballot:0").update(
        status=MessageStatus.DEAD, last_error="SMTPDataError: 451"
    )
    url = reverse("notifications:outbox_status")

    assert client.get(url).status_code == 302  # anonymous: to the admin login
    client.force_login(member)
    assert client.get(url).status_code == 302  # a member who is not staff

    staff_without_mfa = make_member()
    staff_without_mfa.is_staff = True
    staff_without_mfa.save(update_fields=["is_staff"])
    client.force_login(staff_without_mfa)
    assert client.get(url).status_code == 302

    admin = make_member(mfa=True)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    login_with_second_factor(client, admin)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td id="count-queued">2</td>' in html
    assert '<td id="count-dead">1</td>' in html
    assert '<td id="count-sent">0</td>' in html
    assert member.email not in html
