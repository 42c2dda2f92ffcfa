from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "rankandfile.events"
    label = "events"
    verbose_name = "Gatherings"
