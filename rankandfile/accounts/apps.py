from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rankandfile.accounts"
    label = "accounts"
    verbose_name = "Members"
