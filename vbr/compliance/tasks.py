from __future__ import annotations

import logging

from celery import shared_task

from vbr.compliance.references import chase_references as chase

logger = logging.getLogger("vbr.compliance")


@shared_task(name="vbr.compliance.chase_references")
def chase_references() -> int:
    """Daily (celery beat): remind referees who have not answered. Idempotent."""
    count = chase()
    logger.info("Chased %d references", count)
    return count


@shared_task(name="vbr.compliance.remind_deadlines")
def remind_deadlines() -> int:
    """Daily (celery beat): remind managers of deadlines after the start. Idempotent."""
    from vbr.compliance.deadlines import remind

    count = remind()
    logger.info("Sent %d deadline reminders", count)
    return count


@shared_task(
    name="vbr.compliance.render_file_pdf",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
)
def render_file_pdf(job_id: int) -> str:
    """Render one safer-recruitment file PDF. Idempotent: the job row says what is done."""
    from vbr.compliance.inspector_pdf import run_pdf_job

    job = run_pdf_job(job_id=job_id)
    return job.status if job else "missing"


@shared_task(name="vbr.compliance.sweep_file_pdfs", ignore_result=True)
def sweep_file_pdfs() -> int:
    from vbr.compliance.inspector_pdf import sweep_pdf_jobs

    return sweep_pdf_jobs()


@shared_task(name="vbr.compliance.anonymise_leavers")
def anonymise_leavers() -> int:
    """Nightly (celery beat): anonymise leavers whose file is past its keeping period."""
    from vbr.compliance.retention import anonymise_leavers as run

    count = run()
    logger.info("Anonymised %d leavers past their file's keeping period", count)
    return count
