"""Who is asking the JSON API: a member with a personal token, or a logged-in session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from rankandfile.accounts.models import User
from rankandfile.accounts.services import api_token_authenticate


class TokenClaim:
    """A bearer token that its route checks later, itself (``PersonalToken(deferred=True)``).

    ``valid`` is None until it is checked: by ``member()``, or by the route's own statement,
    which then sets it.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.valid: bool | None = None

    def member(self) -> User | None:
        member = api_token_authenticate(self.token)
        self.valid = member is not None
        return member


class PersonalToken(HttpBearer):
    """`Authorization: Bearer rf_...`: a personal token created on the profile page.

    ``deferred``: for a route that checks the token in the same statement that does its work
    (the pledge route, on a deadline day), the route is handed a ``TokenClaim`` instead of a
    member. Any answer but the route's success checks the claim first (``claim_refuted``, in
    ``rankandfile.api.Api``), so a bad token is answered 401 there as everywhere else.
    """

    def __init__(self, *, deferred: bool = False) -> None:
        super().__init__()
        self.deferred = deferred

    def authenticate(self, request: HttpRequest, token: str) -> User | TokenClaim | None:
        if self.deferred:
            return TokenClaim(token)
        member = api_token_authenticate(token)
        if member is not None:
            request.user = member
        return member


def api_member(request: HttpRequest) -> User:
    """The member asking: the token's (checked now if it was deferred) or the session's."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, TokenClaim):
        auth = auth.member()
        if auth is None:
            raise AuthenticationError()
    if not isinstance(auth, User):
        auth = request.user
    assert isinstance(auth, User)
    return auth


def claim_refuted(request: HttpRequest) -> bool:
    """Whether the request's deferred token (if it has one) belongs to no active member."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, TokenClaim):
        return False
    if auth.valid is None:
        auth.member()
    return auth.valid is False
