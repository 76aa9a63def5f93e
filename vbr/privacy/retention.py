"""Which candidates are due to be anonymised: unsuccessful, and quiet for longer than the
provider's retention period."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Max, QuerySet
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Candidate

UNSUCCESSFUL = (Application.Status.DECLINED, Application.Status.WITHDRAWN)


def retention_cutoff(*, provider: Provider, now: datetime | None = None) -> datetime:
    cutoff: datetime = (now or timezone.now()) - relativedelta(months=provider.retention_months)
    return cutoff


def due_for_anonymisation(
    *, provider: Provider, now: datetime | None = None
) -> QuerySet[Candidate]:
    """Candidates with applications, none of them open or hired, whose last status change is
    older than the cutoff. `last_activity` is annotated for the preview page."""
    return (
        provider.candidates.filter(anonymised_at__isnull=True, applications__isnull=False)
        .exclude(applications__status__in=[s for s in Application.Status if s not in UNSUCCESSFUL])
        .annotate(last_activity=Max("applications__status_changed_at"))
        .filter(last_activity__lt=retention_cutoff(provider=provider, now=now))
        .order_by("last_activity", "pk")
    )
