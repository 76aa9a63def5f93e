"""PDF candidate summaries: asking for them, rendering, the sweep, and removing the files.

The job row is written first and sent to the broker only after the transaction commits; if
the broker is unreachable the row stays queued for the sweep (an outbox), so asking for a
summary never fails because Celery is down.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from vbr import leases
from vbr.accounts.access import scores_hidden_from
from vbr.accounts.models import User
from vbr.recruitment.models import Application, Candidate, Role, Stage, SummaryBatch, SummaryJob

logger = logging.getLogger(__name__)


@transaction.atomic
def request_summary(
    *, application: Application, requested_by: User, batch: SummaryBatch | None = None
) -> SummaryJob:
    """Queue a PDF summary of one application for the person asking."""
    job = SummaryJob.objects.create(
        provider=application.provider,
        application=application,
        requested_by=requested_by,
        batch=batch,
    )
    transaction.on_commit(partial(send_summary_jobs, [job.pk]))
    return job


@transaction.atomic
def request_summary_batch(*, role: Role, stage: Stage, requested_by: User) -> SummaryBatch:
    """Queue summaries for every active candidate at one stage of a role, as one batch."""
    batch = SummaryBatch.objects.create(
        provider=role.provider, role=role, stage=stage, requested_by=requested_by
    )
    applications = role.provider.applications.active().filter(role=role, current_stage=stage)
    jobs = SummaryJob.objects.bulk_create(
        SummaryJob(
            provider=role.provider, application=application, requested_by=requested_by, batch=batch
        )
        for application in applications
    )
    transaction.on_commit(partial(send_summary_jobs, [job.pk for job in jobs]))
    return batch


@transaction.atomic
def remake_missing_summary(*, job: SummaryJob) -> bool:
    """Put a ready job whose file has gone (files lost in a move, a restore of the database
    without them, an emptied object store) back in the queue, so that it is made again
    instead of the download failing. True if this call put it back; a second click finds it
    queued already."""
    requeued = SummaryJob.objects.filter(pk=job.pk, status=SummaryJob.Status.READY).update(
        status=SummaryJob.Status.QUEUED,
        file="",
        error="",
        attempts=0,
        sent_at=None,
        started_at=None,
        finished_at=None,
    )
    if requeued:
        logger.warning("Summary job %s was ready but its file had gone: made again", job.pk)
        transaction.on_commit(partial(send_summary_jobs, [job.pk]))
    return bool(requeued)


def send_summary_jobs(job_ids: list[int]) -> int:
    """Hand jobs to the broker; returns how many were sent. Never raises: a job that could
    not be sent stays queued with no `sent_at`, and the sweep sends it later."""
    # Imported here, not at the top: tasks.py imports the workflow when it loads, and the
    # two must not import each other in a circle.
    from vbr.recruitment.tasks import render_summary

    sent = 0
    for job_id in job_ids:
        try:
            render_summary.apply_async((job_id,), queue=settings.PDF_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: summary job %s stays queued", job_id)
            break
        SummaryJob.objects.filter(pk=job_id, status=SummaryJob.Status.QUEUED).update(
            sent_at=timezone.now()
        )
        sent += 1
    return sent


def run_summary_job(*, job_id: int) -> SummaryJob | None:
    """Render one job to a file. Safe to call twice for the same job: only the call that
    claims it does any work. A job left "rendering" by a worker that died is claimed again
    once that worker's lease has lapsed (vbr.leases); until then a call finds it held, and
    returns it still rendering."""
    from vbr.recruitment import pdf

    job = (
        SummaryJob.objects.select_related("application__candidate", "requested_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        return None
    owner = job.claim()
    if owner is None:
        return job
    requester = job.requested_by
    if requester is not None and scores_hidden_from(requester, job.application):
        job.fail(
            "You sit on this candidate's panel and have not submitted your own scorecard: "
            "submit it first, then ask for the summary again.",
            owner=owner,
        )
        return job
    try:
        with leases.heartbeat(SummaryJob.objects, pk=job.pk, owner=owner):
            content = pdf.render_summary_pdf(application=job.application, requested_by=requester)
    except SoftTimeLimitExceeded:
        job.fail(
            f"Making the PDF took longer than {settings.SUMMARY_SOFT_TIME_LIMIT} seconds.",
            owner=owner,
        )
        return job
    except Exception:
        logger.exception("Summary job %s failed to render", job.pk)
        job.fail(
            f"The PDF could not be made (job {job.pk}). Try again; if it fails again, tell "
            "your administrator this job number.",
            owner=owner,
        )
        return job
    job.file.save(job.download_name(), ContentFile(content), save=False)
    updated = SummaryJob.objects.filter(
        pk=job.pk, status=SummaryJob.Status.RENDERING, lease_owner=owner
    ).update(
        status=SummaryJob.Status.READY, file=job.file.name, error="", finished_at=timezone.now()
    )
    if not updated and job.file.name:
        # Taken over, swept away or erased meanwhile: do not leave an orphan file behind.
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


# Kept under this name for callers of the workflow.
SweepReport = leases.SweepReport


def sweep_summary_jobs(*, now: datetime | None = None) -> SweepReport:
    """Run by celery beat: send again the jobs the broker never delivered, put back jobs
    whose worker died mid-render (its lease lapsed), and give up (with a reason) after too
    many attempts."""
    return leases.sweep(
        SummaryJob.objects,
        waiting=SummaryJob.Status.QUEUED,
        working=SummaryJob.Status.RENDERING,
        failed=SummaryJob.Status.FAILED,
        max_attempts=settings.SUMMARY_MAX_ATTEMPTS,
        resend_after_seconds=settings.SUMMARY_RESEND_AFTER_SECONDS,
        send=send_summary_jobs,
        unclaimed_error="No worker picked this job up for an hour. Try again later.",
        exhausted_error=(
            f"The PDF could not be made after {settings.SUMMARY_MAX_ATTEMPTS} attempts."
        ),
        now=now,
    )


@transaction.atomic
def remove_generated_files(*, candidate: Candidate) -> int:
    """Delete every PDF summary made about a candidate, files and rows; called when the
    candidate is anonymised or erased. Returns the number of jobs removed."""
    jobs = SummaryJob.objects.filter(application__candidate=candidate)
    names = [name for name in jobs.values_list("file", flat=True) if name]
    count = jobs.count()
    jobs.delete()
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))
    return count
