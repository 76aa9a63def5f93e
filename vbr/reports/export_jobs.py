"""Large exports and the report pack, made in the background: asking for one, making it,
and the sweep.

The same outbox as PDF summaries (vbr/recruitment/workflow/summaries.py): the job row is
written first and handed to the broker only after the transaction commits. Handing it on
never raises and never waits on a broker that is down (no retries in the request, no result
kept in Redis): the row stays waiting, the person sees its progress page at once, and the
beat sweep hands it on when the broker is back.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from vbr import leases
from vbr.accounts import audit
from vbr.accounts.models import AuditEvent, Membership
from vbr.reports.models import ExportJob
from vbr.reports.queries import ReportFilter

logger = logging.getLogger("vbr.reports")


@transaction.atomic
def request_export(*, membership: Membership, kind: str, filters: ReportFilter) -> ExportJob:
    """Queue an export (or the report pack) for the member asking, with the filters chosen."""
    job = ExportJob.objects.create(
        provider=membership.provider,
        requested_by=membership.user,
        kind=kind,
        filters=filters.as_dict(),
    )
    audit.record(
        provider=membership.provider,
        actor=membership.user,
        action=AuditEvent.Action.EXPORTED,
        summary=f"{job.get_kind_display()} requested",
    )
    transaction.on_commit(partial(send_export_jobs, [job.pk]))
    return job


def send_export_jobs(job_ids: list[int]) -> int:
    """Hand jobs to the broker; returns how many were sent. Never raises: a job that could
    not be sent stays waiting with no `sent_at`, and the sweep sends it later."""
    # Imported here: tasks.py imports this module when it loads.
    from vbr.reports.tasks import make_export

    sent = 0
    for job_id in job_ids:
        try:
            make_export.apply_async((job_id,), queue=settings.EXPORT_QUEUE, retry=False)
        except Exception:
            logger.warning("Broker unreachable: export job %s waits for the sweep", job_id)
            break
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
            sent_at=timezone.now()
        )
        sent += 1
    return sent


def run_export_job(*, job_id: int) -> ExportJob | None:
    """Make the job's file. Safe to call twice for the same job: only the call that claims
    it does any work; a job whose worker died is claimed again once its lease has lapsed,
    and until then a call finds it held and returns it still running."""
    from vbr.reports.documents import write_job_file

    job = ExportJob.objects.select_related("provider", "requested_by").filter(pk=job_id).first()
    if job is None:
        return None
    owner = job.claim()
    if owner is None:
        return job
    try:
        with (
            leases.heartbeat(ExportJob.objects, pk=job.pk, owner=owner),
            tempfile.TemporaryFile() as handle,
        ):
            filename = write_job_file(job, handle)
            handle.seek(0)
            job.file.save(filename, File(handle), save=False)
    except SoftTimeLimitExceeded:
        return _fail(job, owner, f"Making it took longer than {settings.EXPORT_SOFT_TIME_LIMIT} s.")
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        return _fail(
            job,
            owner,
            f"The file could not be made (export {job.pk}). Ask for it again; if it fails "
            "again, tell your administrator this number.",
        )
    updated = ExportJob.objects.filter(
        pk=job.pk, status=ExportJob.Status.RUNNING, lease_owner=owner
    ).update(status=ExportJob.Status.DONE, file=job.file.name, error="", finished_at=timezone.now())
    if not updated and job.file.name:
        # Taken over or removed meanwhile: do not leave an orphan file behind.
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, owner: str, reason: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk, lease_owner=owner).exclude(
        status=ExportJob.Status.DONE
    ).update(status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def sweep_export_jobs(*, now: datetime | None = None) -> leases.SweepReport:
    """Run by celery beat: send again the jobs the broker never delivered, put back jobs
    whose worker died while making the file (its lease lapsed), and give up (with a reason)
    after too many attempts or an hour without a worker."""
    return leases.sweep(
        ExportJob.objects,
        waiting=ExportJob.Status.PENDING,
        working=ExportJob.Status.RUNNING,
        failed=ExportJob.Status.FAILED,
        max_attempts=settings.EXPORT_MAX_ATTEMPTS,
        resend_after_seconds=settings.EXPORT_RESEND_AFTER_SECONDS,
        send=send_export_jobs,
        unclaimed_error="No worker picked this export up for an hour. Ask for it again later.",
        exhausted_error=(
            f"The file could not be made after {settings.EXPORT_MAX_ATTEMPTS} attempts."
        ),
        now=now,
    )
