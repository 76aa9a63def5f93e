from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "vbr.recruitment"
    label = "recruitment"
    verbose_name = "Recruitment"
