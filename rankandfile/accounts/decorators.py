"""View decorators for access rules that concern the member themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from rankandfile.accounts.selectors import member_has_mfa


def mfa_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Organiser and admin pages: logged in, and with a passkey or TOTP set up.

    A member without MFA is sent to the MFA settings page with an explanation, and comes back to
    the page they asked for afterwards.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not member_has_mfa(request.user):
            messages.warning(
                request,
                "Organiser pages need two-factor authentication. Add a passkey or an "
                "authenticator app first.",
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_index')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
