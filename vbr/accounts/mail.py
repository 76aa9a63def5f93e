"""Sending email through the outbox: a row first, Celery after commit, SMTP in the worker.

A page that sends an email only writes an `OutgoingEmail` row, so a slow or unreachable mail
server never holds it up. After the transaction commits the row's id goes to Celery; if the
broker is down it stays waiting, and the beat sweep hands it on later. The worker sends it
and, when the mail server fails, tries again after a growing delay, up to
EMAIL_MAX_ATTEMPTS times. Each attempt holds a lock on the row, so an email handed on twice
(by the sweep and by a retry) is still sent once.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from vbr.accounts.models import OutgoingEmail, PanelInvitation, Provider

logger = logging.getLogger(__name__)


class Delivery(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # the mail server failed; another attempt is due at `next_attempt_at`
    GAVE_UP = "gave up"
    NOTHING_TO_DO = "nothing to do"  # already sent or given up, or being sent by another


@dataclass(frozen=True)
class Attempt:
    delivery: Delivery
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """The wait after a failed attempt: EMAIL_RETRY_SECONDS, doubling with each attempt."""
    return timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


@transaction.atomic
def queue_email(
    *,
    provider: Provider,
    to: str,
    subject: str,
    body: str,
    invitation: PanelInvitation | None = None,
    ics: str = "",
) -> OutgoingEmail:
    """Put an email in the outbox; it goes to the worker once the transaction commits. `ics`:
    a calendar file sent with it (a panel member's booked time)."""
    email = OutgoingEmail.objects.create(
        provider=provider,
        invitation=invitation,
        to_address=to,
        subject=subject,
        body=body,
        ics=ics,
    )
    transaction.on_commit(partial(hand_to_worker, [email.pk]))
    return email


def hand_to_worker(email_ids: list[int]) -> int:
    """Send emails' ids to the broker; returns how many went. Never raises: an email the
    broker did not take stays waiting, and the sweep hands it on later."""
    # Imported here: tasks.py imports this module when it loads.
    from vbr.accounts.tasks import deliver_email

    handed = 0
    for email_id in email_ids:
        try:
            deliver_email.apply_async((email_id,), queue=settings.MAIL_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: email %s waits for the sweep", email_id)
            break
        handed += 1
    return handed


def deliver(*, email_id: int) -> Attempt:
    """Send one waiting email over SMTP, once. A failure is recorded on the row (attempts,
    the server's reply, when to try again); after EMAIL_MAX_ATTEMPTS the email is given up."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return Attempt(Delivery.NOTHING_TO_DO)
        email.attempts += 1
        try:
            message = EmailMessage(subject=email.subject, body=email.body, to=[email.to_address])
            if email.ics:
                method = "CANCEL" if "METHOD:CANCEL" in email.ics else "REQUEST"
                message.attach("booking.ics", email.ics, f"text/calendar; method={method}")
            message.send()
        except Exception as error:
            logger.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, error)
            email.error = f"{type(error).__name__}: {error}"[:300]
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
                email.body = ""
                email.ics = ""
                attempt = Attempt(Delivery.GAVE_UP)
            else:
                email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
                attempt = Attempt(Delivery.RETRY, retry_at=email.next_attempt_at)
            email.save(
                update_fields=["attempts", "error", "status", "body", "ics", "next_attempt_at"]
            )
            return attempt
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.body = ""
        email.ics = ""
        email.error = ""
        email.save(update_fields=["attempts", "error", "status", "body", "ics", "sent_at"])
        return Attempt(Delivery.SENT)


def sweep_outbox(*, now: datetime | None = None) -> int:
    """Run by celery beat: hand on again every waiting email whose attempt is overdue (the
    broker lost it, or was down when it was written). Returns how many were handed on."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.EMAIL_SWEEP_GRACE_SECONDS)
    due = list(
        OutgoingEmail.objects.due(before=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    return hand_to_worker(due)
