"""allauth's sign-up form, doing the same work for a registered email as for a new one.

For a new email allauth hashes the password (Argon2: about a quarter of a second, on purpose)
and creates the account; for a registered one it only emails the owner, so the answer came
back ten times sooner and told anyone timing it that the address is a member's. Both answers
already say and send the same (``ACCOUNT_PREVENT_ENUMERATION``); here a registered email's
password is hashed too, and the hash thrown away.

A separate module from ``forms.py``: allauth's form is built on ``forms.MemberSignupForm``
(``ACCOUNT_SIGNUP_FORM_CLASS``), so it cannot be imported there.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form that comes back with an error (a postcode, a missing consent) keeps what was
        # typed, passwords too, so that a phone user does not type them twice (GOV.UK's pattern).
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.render_value = True

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])  # as set_password would
        user, response = super().try_save(request)
        return user, response
