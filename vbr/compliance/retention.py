"""How long a worker's safer-recruitment file is kept: for the employment, and then for the
months the provider sets (`ComplianceSettings.keep_months_after_leaving`) — not the
unsuccessful candidates' period, which `vbr.privacy.retention` applies and which never
touches a person who was hired."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils import timezone

from vbr.accounts.models import Provider, User
from vbr.compliance.models import ComplianceSettings
from vbr.privacy.workflow import anonymise_candidate
from vbr.recruitment.models import Application, Candidate


def leavers_due(*, provider: Provider, today: date | None = None) -> QuerySet[Candidate]:
    """Hired people who left longer ago than the provider keeps files, not yet anonymised,
    with no open or hired application still running (a leaver who was hired again stays)."""
    today = today or timezone.localdate()
    months = ComplianceSettings.for_provider(provider).keep_months_after_leaving
    cutoff = today - relativedelta(months=months)
    left = Application.objects.filter(
        provider=provider,
        status=Application.Status.HIRED,
        safer_recruitment_file__isnull=False,
        outcome__left_on__lt=cutoff,
    ).values("candidate_id")
    still_here = (
        Application.objects.filter(provider=provider)
        .exclude(status__in=[Application.Status.DECLINED, Application.Status.WITHDRAWN])
        .exclude(outcome__left_on__isnull=False)
    )
    return (
        provider.candidates.filter(pk__in=left, anonymised_at__isnull=True)
        .exclude(pk__in=still_here.values("candidate_id"))
        .order_by("pk")
    )


def anonymise_leavers(*, today: date | None = None, by: User | None = None) -> int:
    """Anonymise every provider's leavers past their file's keeping period (daily, beat)."""
    count = 0
    for provider in Provider.objects.all():
        for candidate in leavers_due(provider=provider, today=today):
            if anonymise_candidate(candidate=candidate, by=by, reason="retention"):
                count += 1
    return count
