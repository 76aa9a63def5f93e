"""What a report covers: one filter that every report and export narrows through.

The filter also carries who is looking (`role_scope`), so that a report cannot show a hiring
manager applications outside the roles they manage by forgetting a condition: every query in
this package starts from `ReportFilter.applications()` or `ReportFilter.stages()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Stage, StageEntry


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers. Applications are counted by when they applied.

    `role_scope` is who is looking, not a choice: None for an admin (every role), otherwise
    the ids of the roles a hiring manager manages. Every report and export narrows through
    `applications()` or `stages()`, so the scope cannot be forgotten by one of them.
    """

    role_id: int | None = None
    stage_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    characteristic: str = "ethnicity"
    role_scope: tuple[int, ...] | None = None
    # Independence, also who is looking: the applications on which the reader still owes a
    # scorecard (`vbr.accounts.access.withheld_application_ids`), left out of every figure.
    withheld: tuple[int, ...] = ()

    def applications(self, provider: Provider) -> QuerySet[Application]:
        applications = provider.applications.all()
        if self.withheld:
            applications = applications.exclude(pk__in=self.withheld)
        if self.role_scope is not None:
            applications = applications.filter(role_id__in=self.role_scope)
        if self.role_id:
            applications = applications.filter(role_id=self.role_id)
        if self.stage_id:
            applications = applications.filter(
                Exists(
                    StageEntry.objects.filter(application_id=OuterRef("pk"), stage_id=self.stage_id)
                )
            )
        if self.date_from:
            applications = applications.filter(applied_at__date__gte=self.date_from)
        if self.date_to:
            applications = applications.filter(applied_at__date__lte=self.date_to)
        return applications

    def stages(self, provider: Provider) -> QuerySet[Stage]:
        stages = Stage.objects.filter(role__provider=provider)
        if self.role_scope is not None:
            stages = stages.filter(role_id__in=self.role_scope)
        if self.role_id:
            stages = stages.filter(role_id=self.role_id)
        return stages

    def as_dict(self) -> dict[str, Any]:
        return {
            "roles_in_scope": None if self.role_scope is None else list(self.role_scope),
            "role": str(self.role_id or ""),
            "stage": str(self.stage_id or ""),
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "characteristic": self.characteristic,
            "withheld": list(self.withheld),
        }
