"""Deadlines after the start: worker registration due within months of starting (Wales and
Scotland), right-to-work follow-ups, certificate and registration renewals — shown to the
managers who see the file before they fall due, with reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone

from vbr.accounts.models import Membership
from vbr.compliance.models import Check, SaferRecruitmentFile

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


def deadline_of(check: Check, *, start_date: date | None) -> tuple[date, str] | None:
    """When a check falls due after the start, and what is due then."""
    item = check.item
    if check.status == Check.Status.NOT_APPLICABLE:
        return None
    if check.status not in Check.DONE and item.due_months_after_start and start_date:
        return start_date + relativedelta(months=item.due_months_after_start), f"{item.name}: due"
    if check.follow_up_on is not None:
        return check.follow_up_on, f"{item.name}: follow up or renew"
    return None


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
    checks = (
        Check.objects.filter(file__in=files, file__start_date__isnull=False)
        .filter(
            Q(follow_up_on__lte=horizon)
            | Q(item__due_months_after_start__isnull=False) & ~Q(status__in=Check.DONE)
        )
        .exclude(status=Check.Status.NOT_APPLICABLE)
        .select_related("item", "file__provider", "file__application__candidate")
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


def upcoming_for(membership: Membership, *, today: date | None = None) -> list[Deadline]:
    """The deadlines of the files the member sees (none for a panel member)."""
    files = membership.provider.safer_recruitment_files.visible_to(membership)
    return upcoming(files, today=today)


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
