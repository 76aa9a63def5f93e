"""Background tasks of accounts: thin, they take ids and call the domain functions."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils import timezone

from vbr.accounts import mail


@shared_task(
    name="vbr.accounts.deliver_email",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    # Attempts at the mail server are counted on the row (EMAIL_MAX_ATTEMPTS), not here.
    max_retries=None,
)
def deliver_email(self: Task, email_id: int) -> str:  # type: ignore[type-arg]
    """Send one email from the outbox; when the mail server fails, try again at the time the
    row says. Returns what happened, for logs."""
    attempt = mail.deliver(email_id=email_id)
    # In-process (the one-command demo) no worker comes back later: try again at once, until
    # the email is sent or given up (EMAIL_MAX_ATTEMPTS).
    while self.request.is_eager and attempt.delivery is mail.Delivery.RETRY:
        attempt = mail.deliver(email_id=email_id)
    if attempt.delivery is mail.Delivery.RETRY and attempt.retry_at is not None:
        wait = max((attempt.retry_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=wait)
    return attempt.delivery.value


@shared_task(name="vbr.accounts.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Run every minute by celery beat."""
    return mail.sweep_outbox()
