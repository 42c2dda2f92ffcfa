"""Comments: replies one level deep; an edit within 15 minutes of posting, refused after with a
clear message; deletion by the author or an organiser (audited) keeps the replies; a member
reports a comment once, and the organisers see it in their list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rankandfile.audit.models import AuditEntry
from rankandfile.proposals.comments import (
    CommentError,
    comment_create,
    comment_delete,
    comment_edit,
    comment_report,
)
from rankandfile.proposals.selectors import comments_reported
from tests.personas import MakeGroup, MakeMember
from tests.proposals.proposal_helpers import branch_make, proposal_opened

pytestmark = pytest.mark.django_db


def test_an_edit_after_fifteen_minutes_is_refused_and_changes_nothing(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    author = branch.members[0]
    comment = comment_create(proposal=proposal, author=author, text="First thoughts.")

    soon = comment.created_at + timedelta(minutes=14, seconds=59)
    edited = comment_edit(comment=comment, author=author, text="Second thoughts.", now=soon)
    assert edited.text == "Second thoughts." and edited.edited_at == soon

    late = comment.created_at + timedelta(minutes=15, seconds=1)
    with pytest.raises(CommentError, match="edited for 15 minutes after it is posted") as refused:
        comment_edit(comment=comment, author=author, text="Third thoughts.", now=late)
    assert "Post a reply instead." in str(refused.value)
    comment.refresh_from_db()
    assert comment.text == "Second thoughts."

    with pytest.raises(CommentError, match="Only its author"):
        comment_edit(comment=comment, author=branch.members[1], text="Mine now.")


def test_replies_are_one_level_deep(make_member: MakeMember, make_group: MakeGroup) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    top = comment_create(proposal=proposal, author=branch.members[0], text="A point.")
    reply = comment_create(proposal=proposal, author=branch.members[1], text="A reply.", parent=top)
    assert reply.parent == top
    with pytest.raises(CommentError, match="one level deep"):
        comment_create(proposal=proposal, author=branch.members[2], text="Deeper.", parent=reply)
    with pytest.raises(CommentError, match="Only the group's members"):
        comment_create(proposal=proposal, author=make_member(), text="From outside.")


def test_deleting_keeps_the_thread_and_an_organiser_deletion_is_audited(
    make_member: MakeMember, make_group: MakeGroup
) -> None:
    branch = branch_make(make_member, make_group)
    proposal = proposal_opened(branch)
    top = comment_create(proposal=proposal, author=branch.members[0], text="Rude words.")
    reply = comment_create(proposal=proposal, author=branch.members[1], text="Hm.", parent=top)
    with pytest.raises(CommentError, match="author or an organiser"):
        comment_delete(comment=top, actor=branch.members[2])

    assert comment_report(comment=top, reporter=branch.members[1]) is True
    assert comment_report(comment=top, reporter=branch.members[1]) is False  # once each
    assert comment_report(comment=top, reporter=branch.members[2]) is True
    with pytest.raises(CommentError, match="your own comment"):
        comment_report(comment=top, reporter=branch.members[0])
    assert [(c.pk, c.reported_count) for c in comments_reported(branch.group)] == [(top.pk, 2)]

    comment_delete(comment=top, actor=branch.organiser)
    top.refresh_from_db()
    reply.refresh_from_db()
    assert top.deleted and top.text == ""
    assert reply.parent_id == top.pk and not reply.deleted
    assert list(comments_reported(branch.group)) == []
    entry = AuditEntry.objects.get(action="proposals.comment_removed")
    assert entry.target_id == str(top.pk)
