from django.contrib.admin.apps import AdminConfig


class RankAndFileAdminConfig(AdminConfig):
    default_site = "rankandfile.admin_site.RankAndFileAdminSite"
