"""Background tasks of the candidate's side: thin, they take ids and call the domain."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils import timezone

from vbr.applicants import drafts, notices, panel_messages


@shared_task(
    name="vbr.applicants.deliver_notice",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    # Attempts at the mail server or SMS service are counted on the row, not here.
    max_retries=None,
)
def deliver_notice(self: Task, notice_id: int) -> str:  # type: ignore[type-arg]
    """Send one notice; when sending fails and may pass, try again when the row says."""
    attempt = notices.deliver(notice_id=notice_id)
    while self.request.is_eager and attempt.delivery is notices.Delivery.RETRY:
        attempt = notices.deliver(notice_id=notice_id)
    if attempt.delivery is notices.Delivery.RETRY and attempt.retry_at is not None:
        wait = max((attempt.retry_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=wait)
    return attempt.delivery.value


@shared_task(name="vbr.applicants.sweep_notices", ignore_result=True)
def sweep_notices() -> int:
    """Run every minute by celery beat."""
    return notices.sweep_notices()


@shared_task(name="vbr.applicants.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Run every hour by celery beat: reminders of times booked for the next day."""
    return notices.send_reminders()


@shared_task(name="vbr.applicants.remind_panels", ignore_result=True)
def remind_panels() -> int:
    """Run every hour by celery beat: panel members of tomorrow's assessments, and panel
    members whose scorecard is still open after their provider's hours."""
    return panel_messages.send_panel_reminders() + panel_messages.send_scorecard_reminders()


@shared_task(name="vbr.applicants.send_overdue_digests", ignore_result=True)
def send_overdue_digests() -> int:
    """Run every morning by celery beat: chairs and hiring managers get the day's list of
    scorecards still open."""
    return panel_messages.send_overdue_digests()


@shared_task(name="vbr.applicants.delete_expired_drafts", ignore_result=True)
def delete_expired_drafts() -> int:
    """Run every day by celery beat: unfinished applications past their time are deleted."""
    return drafts.delete_expired_drafts()
