from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vbr.reports"
    label = "reports"
    verbose_name = "Reports"
