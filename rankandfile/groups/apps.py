from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "rankandfile.groups"
    label = "groups"
    verbose_name = "Groups"
