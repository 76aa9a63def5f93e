"""Background tasks: thin, they take ids and call the domain functions in the workflow.

Rendering runs on its own `pdf` queue (see CELERY_TASK_ROUTES) with time limits, late
acknowledgement and redelivery when a worker is lost; the job row in the database, not the
broker, says what is done, so a task delivered twice does nothing the second time.
"""

from __future__ import annotations

import gc
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.db import DatabaseError

from vbr.recruitment import pdf, workflow
from vbr.recruitment.models import SummaryJob

logger = logging.getLogger(__name__)


@shared_task(
    name="vbr.recruitment.tasks.render_summary",
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
def render_summary(job_id: int) -> str:
    """Render one summary job. Returns its status, for logs."""
    try:
        job = workflow.run_summary_job(job_id=job_id)
    except SoftTimeLimitExceeded:
        stuck = SummaryJob.objects.filter(pk=job_id).first()
        if stuck is not None:
            stuck.fail(
                f"Making the PDF took longer than {settings.SUMMARY_SOFT_TIME_LIMIT} seconds."
            )
        return SummaryJob.Status.FAILED
    except DatabaseError:
        # Put the job back so that the retry (with backoff) can claim it again.
        SummaryJob.objects.filter(pk=job_id, status=SummaryJob.Status.RENDERING).update(
            status=SummaryJob.Status.QUEUED
        )
        raise
    return job.status if job else "missing"


@shared_task(name="vbr.recruitment.tasks.sweep_summary_jobs", ignore_result=True)
def sweep_summary_jobs() -> dict[str, int]:
    """Run every minute by celery beat."""
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
