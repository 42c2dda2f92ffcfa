from typing import Any

from django.apps import AppConfig


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


def _api_tokens_end(sender: object, *, user: Any, **kwargs: object) -> None:
    from rankandfile.accounts.services import api_tokens_revoke_all

    api_tokens_revoke_all(member=user)
