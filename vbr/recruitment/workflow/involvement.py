"""The involvement log's payments: recorded with the date they fall due, marked paid, and a
reminder to admins of those not yet paid near or after that date.

People who draw on care can lose benefits, or be out of pocket for a supporter's travel, when
a payment is late or muddled; the provider promises to pay within a number of days
(`Provider.pay_within_days`) and VBR keeps it to that promise.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from vbr.accounts import mail
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment.models import Involvement
from vbr.reports.caching import reports_changed

# Admins are reminded from this many days before the pay-by date, and again after this long
# while it stays unpaid.
REMIND_DAYS_BEFORE = 3
REMIND_AGAIN_AFTER = timedelta(days=7)


def pay_by(*, provider: Provider, day: date) -> date:
    """When involvement on `day` is due to be paid by the provider's setting."""
    return day + timedelta(days=provider.pay_within_days)


@transaction.atomic
def record_involvement(*, involvement: Involvement, provider: Provider, by: User) -> Involvement:
    """Save a new entry of the log (from the form), with its pay-by date."""
    involvement.provider = provider
    involvement.recorded_by = by
    involvement.pay_by = pay_by(provider=provider, day=involvement.date)
    involvement.save()
    reports_changed(provider_id=provider.pk)
    return involvement


@transaction.atomic
def mark_paid(*, involvement: Involvement, paid_on: date) -> None:
    involvement.paid_on = paid_on
    involvement.save(update_fields=["paid_on"])
    reports_changed(provider_id=involvement.provider_id)


def due_soon(provider: Provider, *, today: date | None = None) -> list[Involvement]:
    """Involvement owed and due within REMIND_DAYS_BEFORE days, or overdue, oldest first:
    the dashboard's and the involvement page's list (one query)."""
    today = today or timezone.localdate()
    return list(
        provider.involvements.due_by(today + timedelta(days=REMIND_DAYS_BEFORE))
        .select_related("user")
        .order_by("pay_by", "pk")
    )


def _reminder_body(provider: Provider, rows: list[Involvement], today: date) -> str:
    lines = [
        f"Hello,\n\nThese payments to panel members at {provider.name} are not marked as paid. "
        f"You pay within {provider.pay_within_days} days, so that nobody is out of pocket and "
        "payments stay safe for people's benefits.\n"
    ]
    for item in rows:
        assert item.pay_by is not None  # due_by() only finds rows with a date
        when = (
            f"overdue since {item.pay_by:%d %B %Y}"
            if item.pay_by < today
            else f"due by {item.pay_by:%d %B %Y}"
        )
        lines.append(
            f"- {item.user.display_name}, for {item.date:%d %B %Y}: "
            f"{item.get_payment_kind_display().lower()}, £{item.amount_owed} in all, {when}"
        )
    lines.append(
        "\nWhen it is paid, mark it paid on the involvement page, so that this reminder stops."
    )
    return "\n".join(lines) + "\n"


def remind_unpaid(*, now: datetime | None = None) -> int:
    """Run daily by celery beat: email each provider's admins the involvement owed and due
    within REMIND_DAYS_BEFORE days or overdue, that they were not reminded of in the last
    REMIND_AGAIN_AFTER. One email per admin per provider, through the outbox. Returns how
    many emails were queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(
        Involvement.objects.due_by(today + timedelta(days=REMIND_DAYS_BEFORE))
        .exclude(reminded_at__gt=now - REMIND_AGAIN_AFTER)
        .select_related("user", "provider")
        .order_by("provider_id", "pay_by", "pk")
    )
    by_provider: dict[int, list[Involvement]] = defaultdict(list)
    for item in due:
        by_provider[item.provider_id].append(item)
    queued = 0
    for rows in by_provider.values():
        provider = rows[0].provider
        admins = list(
            provider.memberships.filter(role=Membership.Role.ADMIN)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if not admins:
            continue  # nobody to email: the dashboard and the involvement page still list it
        with transaction.atomic():
            for address in admins:
                mail.queue_email(
                    provider=provider,
                    to=address,
                    subject=f"Panel members to pay — {provider.name}",
                    body=_reminder_body(provider, rows, today),
                )
                queued += 1
            Involvement.objects.filter(pk__in=[item.pk for item in rows]).update(reminded_at=now)
    return queued
