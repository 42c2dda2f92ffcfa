"""Every write about comments on a proposal: post, reply (one level deep), edit within
``EDIT_WINDOW``, delete, report; and the organisers' removal of a reported comment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from rankandfile.accounts.models import User
from rankandfile.audit.services import audit_record
from rankandfile.lib.markdown import COMMENT_LONGEST, MarkdownTooLongError, markdown_source_clean
from rankandfile.lib.urls import absolute_url
from rankandfile.notifications.models import MessageClass
from rankandfile.notifications.services import message_enqueue
from rankandfile.proposals.models import Comment, CommentReport, Proposal, ProposalState
from rankandfile.proposals.selectors import member_may_organise, member_of_group

EDIT_WINDOW = timedelta(minutes=15)
# Comments can be written while the proposal is discussed and while it is voted on.
COMMENTABLE = (ProposalState.DISCUSSION, ProposalState.TO_BALLOT)


class CommentError(Exception):
    """A request the rules refuse; the message is shown to the member as it is."""


def _clean(text: str) -> str:
    try:
        cleaned = markdown_source_clean(text, longest=COMMENT_LONGEST, what="A comment")
    except MarkdownTooLongError as error:
        raise CommentError(str(error)) from None
    if not cleaned:
        raise CommentError("Write a comment.")
    return cleaned


@transaction.atomic
def comment_create(
    *, proposal: Proposal, author: User, text: str, parent: Comment | None = None
) -> Comment:
    """A comment, or a reply to one; a reply to a reply is refused (threads are one level)."""
    if not member_of_group(member=author, group_id=proposal.group_id):
        raise CommentError("Only the group's members can comment on its proposals.")
    if proposal.state not in COMMENTABLE:
        raise CommentError("Comments are closed on this proposal.")
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise CommentError("That comment is not on this proposal.")
        if parent.parent_id is not None:
            raise CommentError("Replies are one level deep: reply to the comment above instead.")
    comment = Comment.objects.create(
        proposal=proposal, author=author, parent=parent, text=_clean(text)
    )
    if parent is not None:
        _tell_author_of_reply(parent, comment)
    return comment


def _tell_author_of_reply(parent: Comment, reply: Comment) -> None:
    """The author of a comment is told of a reply to it (not of their own), through the outbox
    in this transaction, unless they turned these messages off."""
    recipient = parent.author
    if recipient is None or not recipient.is_active or parent.deleted:
        return
    if reply.author_id == recipient.pk:
        return
    proposal = reply.proposal
    reply_path = reverse("proposals:comment", kwargs={"comment_id": reply.pk})
    message_enqueue(
        key=f"proposal:{proposal.pk}:comment:{reply.pk}:reply",
        kind=MessageClass.SERVICE,
        recipient=recipient,
        template="comment_reply",
        context={
            "proposal_title": proposal.title,
            "group_name": proposal.group.name,
            "author_name": reply.author.display_name if reply.author else "A member",
            "reply_url": absolute_url(reply_path),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        },
        group=proposal.group,
    )


def _own_locked(comment: Comment, member: User) -> Comment:
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.author_id != member.pk:
        raise CommentError("Only its author can change a comment.")
    if locked.deleted:
        raise CommentError("That comment was deleted.")
    return locked


@transaction.atomic
def comment_edit(
    *, comment: Comment, author: User, text: str, now: datetime | None = None
) -> Comment:
    """Change one's own comment, up to ``EDIT_WINDOW`` after posting it."""
    now = now or timezone.now()
    locked = _own_locked(comment, author)
    if now > locked.created_at + EDIT_WINDOW:
        posted = formats.date_format(timezone.localtime(locked.created_at), "j F Y, H:i")
        raise CommentError(
            f"A comment can be edited for {EDIT_WINDOW.seconds // 60} minutes after it is "
            f"posted; this one was posted {posted}. Post a reply instead."
        )
    locked.text = _clean(text)
    locked.edited_at = now
    locked.save(update_fields=["text", "edited_at"])
    return locked


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> Comment:
    """Its author, or an organiser of the group, deletes a comment: its text goes, its place
    in the thread (and its replies) stay. An organiser's deletion is audited."""
    locked = (
        Comment.objects.select_for_update().select_related("proposal__group").get(pk=comment.pk)
    )
    if locked.deleted:
        return locked
    by_author = locked.author_id == actor.pk
    if not by_author and not member_may_organise(member=actor, group=locked.proposal.group):
        raise CommentError("Only its author or an organiser can delete a comment.")
    locked.deleted = True
    locked.text = ""
    locked.save(update_fields=["deleted", "text"])
    if not by_author:
        audit_record(
            actor=actor,
            action="proposals.comment_removed",
            target_type="comment",
            target_id=locked.pk,
            details={"proposal": locked.proposal_id, "reports": locked.reported_count},
        )
    return locked


@transaction.atomic
def comment_report(*, comment: Comment, reporter: User) -> bool:
    """Report a comment to the organisers, once per member; False if already reported."""
    if not member_of_group(member=reporter, group_id=comment.proposal.group_id):
        raise CommentError("Only the group's members can report its comments.")
    if comment.author_id == reporter.pk:
        raise CommentError("You cannot report your own comment; delete it instead.")
    if comment.deleted:
        raise CommentError("That comment was deleted.")
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=reporter)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(reported_count=F("reported_count") + 1)
    return True


@transaction.atomic
def comments_remove_by_admin(*, comments: Iterable[Comment], admin: User) -> int:
    """Staff remove comments from the admin site, as an organiser does (the text goes, the
    place in the thread and the replies stay), each removal audited; returns how many."""
    if not admin.is_staff:
        raise CommentError("Only the site's admins can remove comments from the admin site.")
    removed = 0
    chosen = Comment.objects.select_for_update().filter(
        pk__in=[c.pk for c in comments], deleted=False
    )
    for comment in chosen.order_by("pk"):
        comment.deleted = True
        comment.text = ""
        comment.save(update_fields=["deleted", "text"])
        audit_record(
            actor=admin,
            action="proposals.comment_removed_by_admin",
            target_type="comment",
            target_id=comment.pk,
            details={"proposal": comment.proposal_id, "reports": comment.reported_count},
        )
        removed += 1
    return removed
