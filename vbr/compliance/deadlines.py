"""Deadlines after the start: worker registration due within months of starting (Wales and
Scotland), right-to-work follow-ups, certificate and registration renewals — shown to the
managers who see the file before they fall due, with reminders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone

from vbr.accounts.models import Membership
from vbr.compiled import CompiledQuery
from vbr.compliance.models import Check, SaferRecruitmentFile
from vbr.recruitment.rows import addresses, dates, person_name

# How far ahead a deadline shows on the dashboard.
HORIZON_DAYS = 60
# How far ahead a reminder email goes.
REMINDER_DAYS = 14


@dataclass(frozen=True)
class Deadline:
    due_on: date
    what: str
    person: str
    file: SaferRecruitmentFile
    check: Check

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """One deadline on the dashboard, ready to show: read as plain values and drawn without a
    model instance, a URL lookup or a date filter per row."""

    due_on: date
    person: str
    what: str
    url: str
    overdue: bool
    due: str
    days_left: str


def deadline_of(check: Check, *, start_date: date | None) -> tuple[date, str] | None:
    """When a check falls due after the start, and what is due then."""
    return _falls_due(
        status=check.status,
        due_months_after_start=check.item.due_months_after_start,
        follow_up_on=check.follow_up_on,
        name=check.item.name,
        start_date=start_date,
    )


def _falls_due(
    *,
    status: str,
    due_months_after_start: int | None,
    follow_up_on: date | None,
    name: str,
    start_date: date | None,
) -> tuple[date, str] | None:
    if status == Check.Status.NOT_APPLICABLE:
        return None
    if status not in Check.DONE and due_months_after_start and start_date:
        return start_date + relativedelta(months=due_months_after_start), f"{name}: due"
    if follow_up_on is not None:
        return follow_up_on, f"{name}: follow up or renew"
    return None


def _due_checks(files: QuerySet[SaferRecruitmentFile], *, horizon: date) -> QuerySet[Check]:
    """The checks of started files that may fall due by `horizon` (or have passed)."""
    return (
        Check.objects.filter(file__in=files, file__start_date__isnull=False)
        .filter(
            Q(follow_up_on__lte=horizon)
            | Q(item__due_months_after_start__isnull=False) & ~Q(status__in=Check.DONE)
        )
        .exclude(status=Check.Status.NOT_APPLICABLE)
    )


def upcoming(
    files: QuerySet[SaferRecruitmentFile],
    *,
    today: date | None = None,
    within_days: int = HORIZON_DAYS,
) -> list[Deadline]:
    """The deadlines falling due within `within_days` (or already passed), soonest first.
    `files` is a queryset of files; one query for all of them."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=within_days)
    checks = _due_checks(files, horizon=horizon).select_related(
        "item", "file__provider", "file__application__candidate"
    )
    found = []
    for check in checks:
        due = deadline_of(check, start_date=check.file.start_date)
        if due is None or due[0] > horizon:
            continue
        found.append(
            Deadline(
                due_on=due[0],
                what=due[1],
                person=check.file.application.candidate.full_name,
                file=check.file,
                check=check,
            )
        )
    return sorted(found, key=lambda deadline: (deadline.due_on, deadline.person))


def _upcoming_checks(membership: Membership, horizon: date) -> QuerySet[Any]:
    files = SaferRecruitmentFile.objects.visible_to(membership)
    return _due_checks(files, horizon=horizon).values(
        "status",
        "follow_up_on",
        "file_id",
        "file__start_date",
        "item__name",
        "item__due_months_after_start",
        "file__application__candidate__first_name",
        "file__application__candidate__last_name",
    )


# On the dashboard, for every admin and manager (see vbr.compiled).
_UPCOMING_FOR_ADMIN: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id, horizon: _upcoming_checks(
        Membership(provider_id=provider_id, role=Membership.Role.ADMIN), horizon
    ),
    provider_id=int,
    horizon=date,
)
_UPCOMING_FOR_MANAGER: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id, membership_id, horizon: _upcoming_checks(
        Membership(pk=membership_id, provider_id=provider_id, role=Membership.Role.MANAGER),
        horizon,
    ),
    provider_id=int,
    membership_id=int,
    horizon=date,
)


def upcoming_for(membership: Membership, *, today: date | None = None) -> list[DeadlineRow]:
    """The deadlines of the files the member sees (none for a panel member), within
    HORIZON_DAYS or already passed, soonest first, ready for the dashboard. One query, of
    plain values: every file is the member's provider's."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=HORIZON_DAYS)
    # Which files the member sees is `visible_to`'s rule; its query is written once for each
    # kind of member who sees any (an admin: the provider's; a manager: their roles').
    checks: Iterable[dict[str, Any]]
    if membership.is_admin:
        checks = _UPCOMING_FOR_ADMIN.dicts(provider_id=membership.provider_id, horizon=horizon)
    elif membership.role == Membership.Role.MANAGER:
        checks = _UPCOMING_FOR_MANAGER.dicts(
            provider_id=membership.provider_id, membership_id=membership.pk, horizon=horizon
        )
    else:
        checks = _upcoming_checks(membership, horizon)
    address = addresses("compliance-file-detail", membership.provider.slug)
    day = dates("j M Y")
    found = []
    for check in checks:
        due = _falls_due(
            status=check["status"],
            due_months_after_start=check["item__due_months_after_start"],
            follow_up_on=check["follow_up_on"],
            name=check["item__name"],
            start_date=check["file__start_date"],
        )
        if due is None or due[0] > horizon:
            continue
        due_on, what = due
        days = (due_on - today).days
        found.append(
            DeadlineRow(
                due_on=due_on,
                person=person_name(
                    check["file__application__candidate__first_name"],
                    check["file__application__candidate__last_name"],
                ),
                what=what,
                url=address(check["file_id"]),
                overdue=due_on < today,
                due=day(due_on),
                days_left=f"{days} day{'' if days == 1 else 's'}",
            )
        )
    return sorted(found, key=lambda deadline: (deadline.due_on, deadline.person))


def remind(*, today: date | None = None) -> int:
    """Email the hiring managers of the role (the provider's admins when it has none) about
    each deadline within REMINDER_DAYS, once per check and due date. Run daily by beat."""
    from django.db import IntegrityError, transaction

    from vbr.accounts.mail import queue_email
    from vbr.compliance.models import DeadlineReminder

    sent = 0
    files = SaferRecruitmentFile.objects.filter(start_date__isnull=False)
    for deadline in upcoming(files, today=today, within_days=REMINDER_DAYS):
        file = deadline.file
        role = file.application.role
        recipients = [m.user.email for m in role.managers.select_related("user") if m.user.email]
        if not recipients:
            recipients = [
                m.user.email
                for m in file.provider.memberships.filter(
                    role=Membership.Role.ADMIN
                ).select_related("user")
                if m.user.email
            ]
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(check_row=deadline.check, due_on=deadline.due_on)
                for address in recipients:
                    queue_email(
                        provider=file.provider,
                        to=address,
                        subject=f"Due {deadline.due_on:%-d %B %Y}: {deadline.what}",
                        body=(
                            f"{deadline.person} ({role.title}): {deadline.what} by "
                            f"{deadline.due_on:%-d %B %Y}.\n\nThe file is in VBR under "
                            "Safer-recruitment files.\n"
                        ),
                    )
        except IntegrityError:
            continue  # already reminded about this one
        sent += 1
    return sent
