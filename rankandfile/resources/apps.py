from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "rankandfile.resources"
    label = "resources"
    verbose_name = "Resource hub"
