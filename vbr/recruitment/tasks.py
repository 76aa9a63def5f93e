"""Background tasks: thin, they take ids and call the domain functions in the workflow.

Rendering runs on its own `pdf` queue (see CELERY_TASK_ROUTES) with time limits, late
acknowledgement and redelivery when a worker is lost; the job row in the database, not the
broker, says what is done, so a task delivered twice does nothing the second time, and the
lease on the row (vbr.leases) tells a worker that died from one still rendering.
"""

from __future__ import annotations

import gc
import logging

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import DatabaseError

from vbr import leases
from vbr.recruitment import pdf, workflow
from vbr.recruitment.models import SummaryJob

logger = logging.getLogger(__name__)

# How many times a task finding its job held elsewhere looks again: enough to outlast the
# longest render (the hard time limit) at one look per lease.
LEASE_CHECKS = settings.SUMMARY_TIME_LIMIT // settings.JOB_LEASE_SECONDS + 2


@shared_task(
    name="vbr.recruitment.tasks.render_summary",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.SUMMARY_SOFT_TIME_LIMIT,
    time_limit=settings.SUMMARY_TIME_LIMIT,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def render_summary(self: Task, job_id: int) -> str:  # type: ignore[type-arg]
    """Render one summary job. Returns its status, for logs."""
    job = workflow.run_summary_job(job_id=job_id)
    if job is None:
        return "missing"
    if job.status == SummaryJob.Status.RENDERING:
        # Another worker holds the job. Delivered again because its worker died (a process
        # killed mid-render is redelivered at once), or sent twice: look again when that
        # worker's lease would lapse without news; by then the job is done, or ours to take.
        if job.attempts >= settings.SUMMARY_MAX_ATTEMPTS or self.request.retries >= LEASE_CHECKS:
            return job.status  # the sweep gives up on it, or puts it back
        raise self.retry(
            countdown=leases.seconds_left(job.heartbeat_at) + 1, max_retries=LEASE_CHECKS
        )
    return job.status


@shared_task(name="vbr.recruitment.tasks.sweep_summary_jobs", ignore_result=True)
def sweep_summary_jobs() -> dict[str, int]:
    """Run by celery beat every JOB_SWEEP_SECONDS."""
    report = workflow.sweep_summary_jobs()
    return {"resent": report.resent, "requeued": report.requeued, "failed": report.failed}


@worker_process_init.connect
def warm_up_renderer(**kwargs: object) -> None:
    """Load fonts and the print stylesheet when a worker process starts (including after
    `worker_max_tasks_per_child` replaces one), so the first click is not the slow one.
    The process keeps them (pdf.renderer) for every summary it renders afterwards."""
    try:
        pdf.html_to_pdf('<html lang="en-GB"><h1>VBR</h1><p>VBR <b>ready</b></p></html>')
    except Exception:
        logger.exception("Could not warm up the PDF renderer")
    # What is loaded by now lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise walk it again during every render.
    gc.freeze()


@shared_task(name="vbr.recruitment.remind_unpaid_involvement", ignore_result=True)
def remind_unpaid_involvement() -> int:
    """Daily: email admins the panel members' payments due soon or overdue (through the
    outbox). Returns how many emails were queued."""
    return workflow.remind_unpaid()
