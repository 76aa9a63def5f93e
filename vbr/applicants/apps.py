from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "vbr.applicants"
    label = "applicants"
    verbose_name = "Applicants"
