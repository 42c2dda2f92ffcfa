from django.apps import AppConfig


class IntroductionsConfig(AppConfig):
    name = "rankandfile.introductions"
    label = "introductions"
    verbose_name = "Introductions"
