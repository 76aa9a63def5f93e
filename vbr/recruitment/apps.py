from django.apps import AppConfig
from django.db.backends.signals import connection_created


class RecruitmentConfig(AppConfig):
    name = "vbr.recruitment"
    label = "recruitment"
    verbose_name = "Recruitment"

    def ready(self) -> None:
        from vbr.recruitment.search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="vbr_sqlite_fold")
