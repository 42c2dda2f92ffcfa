"""allauth's sign-up form, doing the same work for a registered email as for a new one.

For a new email allauth hashes the password (Argon2id: tens of milliseconds of CPU, on purpose,
``accounts/hashers.py``) and creates the account; for a registered one it only emails the
owner, so the answer came back sooner and told anyone timing it that the address is a
member's. Both answers already say and send the same (``ACCOUNT_PREVENT_ENUMERATION``); here a
registered email's password is hashed too, and the hash thrown away.

A separate module from ``forms.py``: allauth's form is built on ``forms.MemberSignupForm``
(``ACCOUNT_SIGNUP_FORM_CLASS``), so it cannot be imported there.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    # Each error in the summary at the top names its field, not "This field is required."
    REQUIRED_MESSAGES = {
        "email": "Enter your email address.",
        "display_name": "Enter a display name: a pseudonym is fine.",
        "password1": "Choose a password.",
        "password2": "Type your password again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form that comes back with an error (a postcode, a missing consent) keeps what was
        # typed, passwords too, so that a phone user does not type them twice (GOV.UK's pattern).
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.render_value = True
        for name, message in self.REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])  # as set_password would
        user, response = super().try_save(request)
        return user, response
