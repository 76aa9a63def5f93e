from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "vbr.privacy"
    label = "privacy"
    verbose_name = "Privacy: retention, checks and consent"
