"""The admin site shows proposals and comments read-only (the reported ones to be looked at),
removes comments through the service (text gone, replies kept, audited), and has no page for
supporters."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rankandfile.audit.models import AuditEntry
from rankandfile.proposals.comments import comment_create, comment_report
from rankandfile.proposals.models import AmendmentSupport, Comment, Proposal, Support
from tests.personas import MakeGroup, MakeMember, login_with_second_factor
from tests.proposals.proposal_helpers import branch_make, proposal_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_member: MakeMember) -> Client:
    member = make_member(mfa=True)
    member.is_staff = member.is_superuser = True
    member.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    login_with_second_factor(client, member)
    return client


def test_proposals_are_read_only_and_supporters_have_no_page() -> None:
    assert Support not in admin.site._registry
    assert AmendmentSupport not in admin.site._registry
    for model in (Proposal, Comment):
        model_admin = admin.site._registry[model]
        assert set(model_admin.get_fields(None)) == set(model_admin.readonly_fields)  # type: ignore[arg-type]
        assert not model_admin.has_add_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_delete_permission(None)  # type: ignore[arg-type]


def test_an_admin_lists_reported_comments_and_removes_one_through_the_service(
    admin_client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    bad = comment_create(proposal=proposal, author=branch.members[0], text="Expel them all.")
    reply = comment_create(proposal=proposal, author=branch.proposer, text="No.", parent=bad)
    comment_create(proposal=proposal, author=branch.members[1], text="A fine idea.")
    comment_report(comment=bad, reporter=branch.members[2])

    assert admin_client.get(reverse("admin:proposals_proposal_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert page.status_code == 200
    listed = admin_client.get(reverse("admin:proposals_comment_changelist"), {"reported": "yes"})
    assert listed.status_code == 200
    assert "Expel them all." in listed.text and "A fine idea." not in listed.text

    response = admin_client.post(
        reverse("admin:proposals_comment_changelist"),
        {"action": "remove_comments", "_selected_action": [bad.pk]},
    )
    assert response.status_code == 302
    bad.refresh_from_db()
    assert (bad.deleted, bad.text) == (True, "")
    assert Comment.objects.get(pk=reply.pk).text == "No."
    entry = AuditEntry.objects.get(action="proposals.comment_removed_by_admin")
    assert entry.target_id == str(bad.pk) and entry.details["reports"] == 1
