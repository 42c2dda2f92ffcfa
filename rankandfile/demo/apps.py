from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rankandfile.demo"
    label = "demo"
    verbose_name = "Demo network"
