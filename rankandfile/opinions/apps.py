from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "rankandfile.opinions"
    label = "opinions"
    verbose_name = "Conversations and opinion maps"
