"""View decorators for access rules that concern the member themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from rankandfile.accounts.models import User
from rankandfile.accounts.selectors import member_has_mfa


def request_member(request: HttpRequest) -> User:
    """The signed-in member, for views behind ``login_required`` (or ``mfa_required``)."""
    assert isinstance(request.user, User)
    return request.user


def second_factor_used(request: HttpRequest) -> bool:
    """Whether this session's member proved a second factor in this session.

    allauth records each way a session authenticated (``get_authentication_records``): a login
    with a TOTP or recovery code, a passkey login, or a reauthentication with either, is a
    record with method "mfa". Having a factor set up is not enough: a session that logged in
    by password before the account got its TOTP has no such record. Enrolling a factor does
    not record one either (allauth does not count it as authenticating), so a member who has
    just added TOTP types one code from it before their first organiser page.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def second_factor_detour(request: HttpRequest, *, next_url: str) -> HttpResponseRedirect | None:
    """Where a member must go before an organiser or admin page (and come back to
    ``next_url`` from), or None when they have used their second factor in this session."""
    query = urlencode({"next": next_url})
    if not member_has_mfa(request.user):
        messages.warning(
            request,
            "Organiser pages need two-factor authentication. Add a passkey or an "
            "authenticator app first.",
        )
        return HttpResponseRedirect(f"{reverse('mfa_index')}?{query}")
    if not second_factor_used(request):
        # allauth's own reauthentication with the second factor (authenticator app, or
        # passkey when that is all the member has): it records the use and sends them back.
        methods = get_adapter(request).get_reauthentication_methods(request.user)
        url = next(m["url"] for m in methods if m["id"].startswith("mfa_reauthenticate"))
        messages.info(
            request, "Organiser pages need your second factor once in each session: use it now."
        )
        return HttpResponseRedirect(f"{url}?{query}")
    return None


def mfa_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Organiser and admin pages: logged in, with a second factor used in this session.

    A member without MFA is sent to the MFA settings page with an explanation; a member with
    MFA who has not used it in this session, to confirm it; both come back to the page they
    asked for afterwards.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        detour = second_factor_detour(request, next_url=request.get_full_path())
        if detour is not None:
            return detour
        return view(request, *args, **kwargs)

    return wrapper


def network_coordinator_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Network coordinators' pages: ``mfa_required``, and the member must be a coordinator
    (anyone else gets 403)."""

    @mfa_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request_member(request).is_network_coordinator:
            raise PermissionDenied("Only network coordinators may open this page.")
        return view(request, *args, **kwargs)

    return wrapper
