from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class ComplianceConfig(AppConfig):
    name = "vbr.compliance"
    label = "compliance"
    verbose_name = "Compliance: the safer-recruitment file"

    def ready(self) -> None:
        from vbr.compliance.models import SaferRecruitmentFile

        # Files are deleted by other areas (a candidate's erasure, an application's or a
        # provider's removal) that need not know about the stored completeness figures: the
        # role's figures are recounted here, in the same transaction, whatever deleted it.
        post_delete.connect(
            _file_deleted, sender=SaferRecruitmentFile, dispatch_uid="compliance-file-deleted"
        )


def _file_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    from vbr.compliance.completeness import refresh_roles
    from vbr.recruitment.models import Application

    # The application is deleted after its file, if at all; a role or provider being
    # removed takes its figures with it, so only figures that still exist are recounted.
    refresh_roles(
        Application.objects.filter(pk=instance.application_id).values_list("role_id", flat=True),
        add=False,
    )
