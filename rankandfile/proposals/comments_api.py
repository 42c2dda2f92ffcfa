"""Comments on proposals in the JSON API: a page of threads, comment and reply, edit within 15
minutes, delete, report; by the same services as the pages (``proposals.comments``), with the
permissions and error shapes of ``proposals.api``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from rankandfile.accounts.api_auth import api_member
from rankandfile.accounts.models import User
from rankandfile.proposals import comments, selectors
from rankandfile.proposals.api import (
    WRITE,
    ErrorOut,
    checked_id,
    iso_or_none,
    member_name,
    proposal_for_request,
    write_refused,
)
from rankandfile.proposals.models import Comment

router = Router(tags=["proposals"])

COMMENTS_PER_PAGE = 50


class CommentOut(Schema):
    id: int
    author: str | None
    text: str
    created_at: str
    edited_at: str | None
    deleted: bool
    parent: int | None


class ThreadOut(CommentOut):
    replies: list[CommentOut]


class CommentPageOut(Schema):
    page: int
    pages: int
    count: int
    comments: list[ThreadOut]


class CommentIn(Schema):
    text: str
    parent: int | None = None


class CommentEditIn(Schema):
    text: str


class ReportOut(Schema):
    reported: bool


def _comment(request: HttpRequest, comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("proposal__group"), pk=checked_id(comment_id)
    )
    proposal_for_request(request, comment.proposal_id)
    return comment


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=member_name(comment.author),
        text=comment.text,
        created_at=comment.created_at.isoformat(),
        edited_at=iso_or_none(comment.edited_at),
        deleted=comment.deleted,
        parent=comment.parent_id,
    )


@router.get("/{proposal_id}/comments", response=CommentPageOut)
def comment_list(request: HttpRequest, proposal_id: int, page: int = 1) -> CommentPageOut:
    """The comments, oldest first, 50 threads a page (``?page=``; past the end is the last
    page), each with its replies. A deleted comment keeps its place, without its text."""
    proposal = proposal_for_request(request, proposal_id)
    paginator = Paginator(selectors.comments_top_level(proposal), COMMENTS_PER_PAGE)
    shown = paginator.get_page(page)
    return CommentPageOut(
        page=shown.number,
        pages=paginator.num_pages,
        count=paginator.count,
        comments=[
            ThreadOut(
                **_comment_out(comment).dict(),
                replies=[_comment_out(reply) for reply in comment.replies.all()],
            )
            for comment in shown
        ],
    )


@router.post(
    "/{proposal_id}/comments",
    response={201: CommentOut, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def comment_create(request: HttpRequest, proposal_id: int, payload: CommentIn) -> Status[object]:
    """Comment (Markdown, at most 5,000 characters), or reply to a comment with ``parent``:
    replies are one level deep. 409 when comments are closed."""
    member = api_member(request)
    proposal = proposal_for_request(request, proposal_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    if proposal.state not in comments.COMMENTABLE:
        return Status(409, ErrorOut(detail="Comments are closed on this proposal."))
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(
            pk=checked_id(payload.parent) if payload.parent > 0 else 0, proposal=proposal
        ).first()
        if parent is None:
            return Status(400, ErrorOut(detail="That comment is not on this proposal."))
    try:
        comment = comments.comment_create(
            proposal=proposal, author=member, text=payload.text, parent=parent
        )
    except comments.CommentError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(201, _comment_out(comment))


def _own_comment_refused(comment: Comment, member: User) -> Status[object] | None:
    if comment.author_id != member.pk:
        return Status(403, ErrorOut(detail="Only its author can change a comment."))
    if comment.deleted:
        return Status(409, ErrorOut(detail="That comment was deleted."))
    return None


@router.patch(
    "/comments/{comment_id}",
    response={200: CommentOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def comment_edit(request: HttpRequest, comment_id: int, payload: CommentEditIn) -> Status[object]:
    """Change your comment's text, up to 15 minutes after posting it (409 after)."""
    member = api_member(request)
    comment = _comment(request, comment_id)
    refused = _own_comment_refused(comment, member) or write_refused(request, member)
    if refused is not None:
        return refused
    if comment.created_at + comments.EDIT_WINDOW < timezone.now():
        return Status(
            409,
            ErrorOut(
                detail="A comment can be edited for 15 minutes after it is posted: "
                "post a reply instead."
            ),
        )
    try:
        edited = comments.comment_edit(comment=comment, author=member, text=payload.text)
    except comments.CommentError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, _comment_out(edited))


@router.delete(
    "/comments/{comment_id}",
    response={204: None, 403: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def comment_delete(request: HttpRequest, comment_id: int) -> Status[object]:
    """Delete your comment (or, for the group's organisers, any): its text goes, its replies
    stay. Deleting it again is harmless."""
    member = api_member(request)
    comment = _comment(request, comment_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    try:
        comments.comment_delete(comment=comment, actor=member)
    except comments.CommentError as error:
        return Status(403, ErrorOut(detail=str(error)))
    return Status(204, None)


@router.post(
    "/comments/{comment_id}/report",
    response={200: ReportOut, 400: ErrorOut, 429: ErrorOut},
    auth=WRITE,
)
def comment_report(request: HttpRequest, comment_id: int) -> Status[object]:
    """Report a comment to the group's organisers, once; ``reported`` is false if you had
    reported it already."""
    member = api_member(request)
    comment = _comment(request, comment_id)
    refused = write_refused(request, member)
    if refused is not None:
        return refused
    try:
        reported = comments.comment_report(comment=comment, reporter=member)
    except comments.CommentError as error:
        return Status(400, ErrorOut(detail=str(error)))
    return Status(200, ReportOut(reported=reported))
