"""The admin site moderates statements through the service (audited, map recomputed), shows
no statement's author, and has no page for participants or votes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.audit.models import AuditEntry
from rankandfile.opinions.models import Conversation, Participant, StatementStatus, Vote
from rankandfile.opinions.services import statement_submit
from tests.conversations.conftest import MakeConversation
from tests.personas import CaptureCallbacks, MakeMember, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_member: MakeMember) -> Client:
    member = make_member(mfa=True)
    member.is_staff = member.is_superuser = True
    member.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    login_with_second_factor(client, member)
    return client


def test_an_admin_rejects_a_statement_through_the_service(
    admin_client: Client,
    make_conversation: MakeConversation,
    make_participant: Callable[[Conversation], User],
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    conversation = make_conversation()
    author = make_participant(conversation)
    statement = statement_submit(
        conversation=conversation, member=author, text="Expel the regional secretary."
    )
    Conversation.objects.filter(pk=conversation.pk).update(recompute_queued=False)
    page = admin_client.get(reverse("admin:opinions_statement_change", args=[statement.pk]))
    assert page.status_code == 200
    assert "author" not in page.context["adminform"].form.fields
    assert author.display_name not in page.text and author.email not in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:opinions_statement_changelist"),
            {"action": "moderate_rejected", "_selected_action": [statement.pk]},
        )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.REJECTED
    entry = AuditEntry.objects.get(action="opinions.statement_moderate")
    assert entry.details["by_admin"] is True and entry.target_id == str(statement.pk)
    conversation.refresh_from_db()
    assert conversation.recompute_queued


def test_participants_and_votes_have_no_admin_pages(admin_client: Client) -> None:
    assert not admin.site.is_registered(Participant)
    assert not admin.site.is_registered(Vote)
    assert admin_client.get("/admin/opinions/participant/").status_code == 404
    assert admin_client.get("/admin/opinions/vote/").status_code == 404
    assert admin_client.get("/admin/opinions/conversation/").status_code == 200
