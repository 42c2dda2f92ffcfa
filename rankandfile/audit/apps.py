from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rankandfile.audit"
    label = "audit"
    verbose_name = "Audit log"
