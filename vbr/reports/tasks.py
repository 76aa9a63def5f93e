"""Background exports: thin tasks that take a job id, load it and call the domain function."""

from __future__ import annotations

import logging
import tempfile

from celery import shared_task
from django.core.files import File
from django.utils import timezone

from vbr.reports.models import ExportJob

logger = logging.getLogger("vbr.reports")


@shared_task(name="vbr.reports.make_export")
def make_export(job_id: int) -> str:
    """Make the job's file. Idempotent: a finished job is left as it is."""
    from vbr.reports.documents import write_job_file

    job = ExportJob.objects.select_related("provider").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job.status
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        with tempfile.TemporaryFile() as handle:
            filename = write_job_file(job, handle)
            handle.seek(0)
            job.file.save(filename, File(handle), save=False)
        job.status = ExportJob.Status.DONE
        job.error = ""
    except Exception as error:
        logger.exception("Export job %s failed", job_id)
        job.status = ExportJob.Status.FAILED
        job.error = f"{type(error).__name__}: the export could not be made."
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "file", "error", "finished_at"])
    return job.status
