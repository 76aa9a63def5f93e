"""Background exports: thin tasks that take a job id and call the domain functions in
export_jobs.py. The job row, not the broker, says what is done: a task delivered twice does
nothing the second time, and the lease on the row (vbr.leases) tells a worker that died from
one still at work."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError

from vbr import leases
from vbr.reports import export_jobs, rebuilds
from vbr.reports.models import ExportJob

# How many times a task finding its job held elsewhere looks again: enough to outlast the
# longest export (the hard time limit) at one look per lease.
LEASE_CHECKS = settings.EXPORT_TIME_LIMIT // settings.JOB_LEASE_SECONDS + 2


@shared_task(
    name="vbr.reports.make_export",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # No result kept: the row says where the job stands, and storing a result would make
    # sending the task wait on Redis (about 19 s when it is down).
    ignore_result=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def make_export(self: Task, job_id: int) -> str:  # type: ignore[type-arg]
    """Make the job's file. Returns its status, for logs."""
    job = export_jobs.run_export_job(job_id=job_id)
    if job is None:
        return "missing"
    if job.status == ExportJob.Status.RUNNING:
        # Another worker holds the job (see render_summary): look again when its lease
        # would lapse without news; by then the file is made, or the job ours to take.
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS or self.request.retries >= LEASE_CHECKS:
            return job.status  # the sweep gives up on it, or puts it back
        raise self.retry(
            countdown=leases.seconds_left(job.heartbeat_at) + 1, max_retries=LEASE_CHECKS
        )
    return job.status


@shared_task(name="vbr.reports.sweep_export_jobs", ignore_result=True)
def sweep_export_jobs() -> dict[str, int]:
    """Run by celery beat every JOB_SWEEP_SECONDS."""
    report = export_jobs.sweep_export_jobs()
    return {"resent": report.resent, "requeued": report.requeued, "failed": report.failed}


@shared_task(
    name="vbr.reports.rebuild_report",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=rebuilds.SOFT_TIME_LIMIT,
    time_limit=rebuilds.TIME_LIMIT,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def rebuild_report(rebuild_id: int) -> str:
    """Build a report for its provider's current data (see vbr/reports/rebuilds.py). A
    rebuild held by another worker is left to it, or to the sweep if that worker died."""
    return rebuilds.run_rebuild(rebuild_id=rebuild_id)


@shared_task(name="vbr.reports.rebuild_after_change", ignore_result=True)
def rebuild_after_change(provider_id: int) -> int:
    """After a change: rebuild the provider's reports somebody has looked at unfiltered."""
    return rebuilds.rebuild_after_change(provider_id=provider_id)


@shared_task(name="vbr.reports.sweep_report_rebuilds", ignore_result=True)
def sweep_report_rebuilds() -> dict[str, int]:
    """Run by celery beat every JOB_SWEEP_SECONDS."""
    report = rebuilds.sweep_report_rebuilds()
    return {"resent": report.resent, "requeued": report.requeued, "failed": report.failed}
