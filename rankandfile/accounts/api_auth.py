"""Who is asking the JSON API: a member with a personal token, or a logged-in session."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from rankandfile.accounts.models import User
from rankandfile.accounts.services import api_token_authenticate

READ_ONLY = "This API token may only read: make one that may read and write on your profile page."


class PersonalToken(HttpBearer):
    """`Authorization: Bearer rf_...`: a personal token created on the profile page.

    ``write``: the route writes (pledges, votes), and a token that may only read is answered
    403. A token that is unknown, revoked or expired, or whose member is inactive, is answered
    401 (by ninja, when no authenticator returns a member).
    """

    def __init__(self, *, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        bearer = api_token_authenticate(token)
        if bearer is None:
            return None
        if self.write and not bearer.may_write:
            raise HttpError(403, READ_ONLY)
        request.user = bearer.member
        return bearer.member


def anonymous_reader(request: HttpRequest) -> AnonymousUser | None:
    """Public reads (the group directory): a request with no credentials at all reads as an
    anonymous visitor. One that sent an Authorization header no authenticator accepted is still
    answered 401: a bad or expired token never quietly reads as anonymous. Put it last, after
    the token and session authenticators."""
    if "Authorization" in request.headers:
        return None
    return AnonymousUser()


def api_member(request: HttpRequest) -> User:
    """The member asking: the token's or the session's."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, User):
        auth = request.user
    assert isinstance(auth, User)
    return auth
