from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "rankandfile.campaigns"
    label = "campaigns"
    verbose_name = "Pressure campaigns"
