"""Pages of conversations and their opinion maps."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from rankandfile.accounts.decorators import request_member, second_factor_detour
from rankandfile.opinions import selectors
from rankandfile.opinions.exports import conversation_export_zip
from rankandfile.opinions.services import member_may_organise


def conversation_export(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The conversation's votes as a Polis open-data export (a zip; see exports.py): for its
    organisers (second factor used), and for everyone who can see it once it has closed with
    its map published."""
    conversation = selectors.conversation_get_for_viewer(
        conversation_id=conversation_id, viewer=request.user
    )
    public = selectors.export_public(conversation)
    if not public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not member_may_organise(member=request_member(request), group=conversation.group):
            raise Http404("No such conversation")
        detour = second_factor_detour(request, next_url=request.get_full_path())
        if detour is not None:
            return detour
    response = HttpResponse(conversation_export_zip(conversation), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.pk}-polis.zip"'
    )
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response
