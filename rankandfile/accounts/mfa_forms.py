"""allauth's MFA forms in our words (settings.MFA_FORMS): "log in", never "sign in"."""

from __future__ import annotations

from typing import Any

from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm


class AddWebAuthnForm(AllauthAddWebAuthnForm):  # type: ignore[misc]  # allauth is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "passwordless" in self.fields:
            self.fields["passwordless"].help_text = (
                "Lets you log in with this key alone, without your password. The key must then "
                "check that it is you, with a fingerprint, your face or a PIN."
            )
