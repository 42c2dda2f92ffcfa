"""Who is asking the JSON API: a member with a personal token, or a logged-in session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from rankandfile.accounts.models import User
from rankandfile.accounts.services import api_token_authenticate

READ_ONLY = "This API token may only read: make one that may read and write on your profile page."


class TokenClaim:
    """A bearer token that its route checks later, itself (``PersonalToken(deferred=True)``,
    on a route that writes).

    ``valid`` is None until it is checked: by ``member()``, or by the route's own statement,
    which then sets it (and ``may_write``).
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.valid: bool | None = None
        self.may_write = False

    def member(self) -> User | None:
        bearer = api_token_authenticate(self.token)
        self.valid = bearer is not None
        self.may_write = bearer is not None and bearer.may_write
        return bearer.member if bearer is not None else None

    def refusal(self) -> HttpError | AuthenticationError | None:
        """What to answer instead of the route's answer: 401 for no valid token, 403 for a
        token that may only read; None for a token that may write."""
        if self.valid is None:
            self.member()
        if not self.valid:
            return AuthenticationError()
        if not self.may_write:
            return HttpError(403, READ_ONLY)
        return None


class PersonalToken(HttpBearer):
    """`Authorization: Bearer rf_...`: a personal token created on the profile page.

    ``write``: the route writes (pledges, votes), and a token that may only read is answered
    403. ``deferred``: for a route that writes and checks the token in the same statement
    that does its work (the pledge route, on a deadline day), the route is handed a
    ``TokenClaim`` instead of a member. Any answer but the route's success checks the claim
    first (``claim_refusal``, in ``rankandfile.api.Api``), so a bad token is answered 401
    there as everywhere else, and a read-only one 403.
    """

    def __init__(self, *, write: bool = False, deferred: bool = False) -> None:
        super().__init__()
        self.write = write or deferred
        self.deferred = deferred

    def authenticate(self, request: HttpRequest, token: str) -> User | TokenClaim | None:
        if self.deferred:
            return TokenClaim(token)
        bearer = api_token_authenticate(token)
        if bearer is None:
            return None
        if self.write and not bearer.may_write:
            raise HttpError(403, READ_ONLY)
        request.user = bearer.member
        return bearer.member


def api_member(request: HttpRequest) -> User:
    """The member asking: the token's (checked now if it was deferred) or the session's."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, TokenClaim):
        member = auth.member()
        refusal = auth.refusal()
        if refusal is not None:
            raise refusal
        auth = member
    if not isinstance(auth, User):
        auth = request.user
    assert isinstance(auth, User)
    return auth


def claim_refusal(request: HttpRequest) -> HttpError | AuthenticationError | None:
    """What a request's deferred token (if it has one) must be answered with instead."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, TokenClaim):
        return None
    return auth.refusal()
