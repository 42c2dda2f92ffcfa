from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rankandfile.notifications"
    label = "notifications"
    verbose_name = "Notifications"
