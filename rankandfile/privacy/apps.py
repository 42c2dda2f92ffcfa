from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "rankandfile.privacy"
    label = "privacy"
    verbose_name = "Privacy"
