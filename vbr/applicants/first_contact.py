"""Speed to first contact: applications that came in online and that nobody has been in
touch with after the provider's chosen time (24 hours unless it says otherwise).

In touch means: a manager marked it contacted, or the application has an assessment (booked
by the candidate or scheduled by a manager), has moved on from the first stage, or is no
longer active. The automatic acknowledgement does not count: a person has to answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Assessment

DEFAULT_FIRST_CONTACT_HOURS = 24


def awaiting_first_contact(provider: Provider, *, hours: int) -> QuerySet[Application]:
    """The provider's online applications still waiting for a person to be in touch after
    `hours`, oldest first."""
    return applied_before_and_untouched(provider.pk, timezone.now() - timedelta(hours=hours))


def applied_before_and_untouched(provider_id: int, cutoff: datetime) -> QuerySet[Application]:
    """`awaiting_first_contact` for those who applied before `cutoff`."""
    return (
        Application.objects.filter(provider_id=provider_id)
        .active()
        .filter(
            online__isnull=False,
            online__contacted_at__isnull=True,
            applied_at__lt=cutoff,
            # Still where it came in: moving it on means somebody dealt with it.
            stage_entered_at=F("applied_at"),
        )
        .exclude(Exists(Assessment.objects.filter(application=OuterRef("pk"))))
        .order_by("applied_at", "pk")
    )
