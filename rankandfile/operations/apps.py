from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "rankandfile.operations"
    label = "operations"
    verbose_name = "Operations"
