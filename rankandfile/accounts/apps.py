from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class AccountsConfig(AppConfig):
    name = "rankandfile.accounts"
    label = "accounts"
    verbose_name = "Members"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_reset, password_set

        # allauth ends the member's other sessions when their password changes or is reset
        # (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE, usersessions); their API tokens end with them.
        for signal in (password_changed, password_reset, password_set):
            signal.connect(_api_tokens_end, dispatch_uid=f"api_tokens_end_{id(signal)}")
        checks.register(_development_encryption_keys)


def _development_encryption_keys(**kwargs: object) -> list[checks.CheckMessage]:
    """Say so when members' fields are encrypted with the fixed development keys (production
    refuses to start without its own: rankandfile/settings.py)."""
    if not settings.FIELD_ENCRYPTION_DEVELOPMENT_KEYS:
        return []
    return [
        checks.Info(
            "Personal fields are encrypted with the fixed development keys.",
            hint="Set FIELD_ENCRYPTION_KEYS and LOOKUP_HASH_KEY (or their *_FILE forms).",
            id="accounts.I001",
        )
    ]


def _api_tokens_end(sender: object, *, user: Any, **kwargs: object) -> None:
    from rankandfile.accounts.services import api_tokens_revoke_all

    api_tokens_revoke_all(member=user)
