"""A person's safer-recruitment file as a PDF for inspectors, made in the background.

`request_pdf` writes the job row and hands it to Celery once the transaction commits;
`run_pdf_job` (the task) claims the row with a conditional update, so a task delivered twice
renders once; `sweep_pdf_jobs` (beat) sends again a job the broker lost and takes back one
whose worker died, giving up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from vbr.accounts.models import User
from vbr.compliance import checklists
from vbr.compliance.models import FilePdfJob, SaferRecruitmentFile
from vbr.compliance.workflow import employment_history

logger = logging.getLogger("vbr.compliance")

RESEND_AFTER = timedelta(seconds=60)
RENDER_LEASE = timedelta(minutes=3)
MAX_ATTEMPTS = 3


@transaction.atomic
def request_pdf(*, file: SaferRecruitmentFile, by: User) -> FilePdfJob:
    job = FilePdfJob.objects.create(provider=file.provider, file=file, requested_by=by)
    transaction.on_commit(partial(hand_to_worker, job.pk))
    return job


def hand_to_worker(job_id: int) -> bool:
    """Send the job to the broker; never raises (the sweep sends it later if this fails)."""
    from vbr.compliance.tasks import render_file_pdf

    try:
        render_file_pdf.apply_async((job_id,), queue=settings.PDF_QUEUE, retry=False)
    except Exception:
        logger.warning("Broker unreachable: file PDF %s waits for the sweep", job_id)
        return False
    FilePdfJob.objects.filter(pk=job_id).update(sent_at=timezone.now())
    return True


def file_html(file: SaferRecruitmentFile, *, requested_by: User | None) -> str:
    file = (
        SaferRecruitmentFile.objects.select_related(
            "provider",
            "application__candidate",
            "application__role",
            "checklist",
            "start_confirmed_by",
            "conditional_by",
        )
        .prefetch_related("references__verified_by", "references__events")
        .get(pk=file.pk)
    )
    checks = list(
        file.checks.select_related("item", "verified_by", "seen_by")
        .prefetch_related("events__actor")
        .order_by("item__order", "pk")
    )
    return render_to_string(
        "pdf/safer_recruitment_file.html",
        {
            "file": file,
            "candidate": file.application.candidate,
            "provider": file.provider,
            "checks": checks,
            "history": employment_history(file),
            "references": list(file.references.all()),
            "conditional_rule": checklists.CONDITIONAL_STARTS.get(file.provider.nation),
            "generated_at": timezone.now(),
            "requested_by": requested_by,
        },
    )


def run_pdf_job(*, job_id: int) -> FilePdfJob | None:
    """Render one job if it is ours to render. Returns the job as it is now."""
    from vbr.recruitment.pdf import html_to_pdf

    now = timezone.now()
    claimed = FilePdfJob.objects.filter(pk=job_id).filter(
        Q(status=FilePdfJob.Status.QUEUED)
        | Q(status=FilePdfJob.Status.RENDERING, started_at__lt=now - RENDER_LEASE)
    )
    taken = claimed.update(
        status=FilePdfJob.Status.RENDERING, started_at=now, attempts=F("attempts") + 1
    )
    job = FilePdfJob.objects.select_related("file", "requested_by").filter(pk=job_id).first()
    if job is None or not taken:
        return job
    try:
        content = html_to_pdf(file_html(job.file, requested_by=job.requested_by))
    except Exception:
        logger.exception("File PDF %s failed", job_id)
        failed = job.attempts >= MAX_ATTEMPTS
        FilePdfJob.objects.filter(pk=job_id).update(
            status=FilePdfJob.Status.FAILED if failed else FilePdfJob.Status.QUEUED,
            error="The PDF could not be made. Please ask again." if failed else "",
            sent_at=None,
        )
        job.refresh_from_db()
        return job
    job.pdf.save("file.pdf", ContentFile(content), save=False)
    job.status = FilePdfJob.Status.READY
    job.finished_at = timezone.now()
    job.save(update_fields=["pdf", "status", "finished_at"])
    return job


def sweep_pdf_jobs() -> int:
    """Send again waiting jobs the broker never took (or lost), and put back jobs whose
    worker has died; give up after MAX_ATTEMPTS."""
    now = timezone.now()
    FilePdfJob.objects.filter(
        status=FilePdfJob.Status.RENDERING,
        started_at__lt=now - RENDER_LEASE,
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=FilePdfJob.Status.FAILED, error="The PDF could not be made. Please ask again.")
    lost = FilePdfJob.objects.filter(
        Q(status=FilePdfJob.Status.QUEUED)
        & (Q(sent_at__isnull=True) | Q(sent_at__lt=now - RESEND_AFTER))
        | Q(status=FilePdfJob.Status.RENDERING, started_at__lt=now - RENDER_LEASE)
    )
    resent = 0
    for job_id in list(lost.values_list("pk", flat=True)[:200]):
        resent += hand_to_worker(job_id)
    return resent
