from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "vbr.compliance"
    label = "compliance"
    verbose_name = "Compliance: the safer-recruitment file"
