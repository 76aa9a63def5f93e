"""Generated documents: PDF candidate summaries and the jobs that make them.

The job row is the source of truth, not the broker: a job is created first, then sent to
Celery once the transaction commits. If Redis is down the row simply stays queued and the
periodic sweep sends it again. A worker rendering a job holds a lease on it (`vbr.leases`);
when the worker dies mid-render its lease lapses within seconds, and the task delivered
again, or the sweep, takes the job over (up to an attempts cap).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from vbr import leases
from vbr.accounts.models import Provider


def summary_file_path(job: SummaryJob, filename: str) -> str:
    """Under private/: generated files are only ever served through a checked view."""
    return f"private/summaries/provider-{job.provider_id}/job-{job.pk}-{filename}"


class SummaryBatch(models.Model):
    """PDF summaries for every candidate at one stage of a role, made as a group."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="summary_batches")
    role = models.ForeignKey(
        "recruitment.Role", on_delete=models.CASCADE, related_name="summary_batches"
    )
    stage = models.ForeignKey(
        "recruitment.Stage", on_delete=models.CASCADE, related_name="summary_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "summary batches"

    def __str__(self) -> str:
        return f"Summaries for {self.role} at {self.stage} ({self.created_at:%Y-%m-%d %H:%M})"


class SummaryJobQuerySet(models.QuerySet["SummaryJob"]):
    def active(self) -> SummaryJobQuerySet:
        return self.filter(status__in=[SummaryJob.Status.QUEUED, SummaryJob.Status.RENDERING])

    def ready(self) -> SummaryJobQuerySet:
        return self.filter(status=SummaryJob.Status.READY)

    def progress(self) -> dict[str, int]:
        """Counts by status, in one query: what a batch's "n of N" is made from."""
        counts = {status: 0 for status in SummaryJob.Status.values}
        for row in self.values("status").annotate(n=models.Count("pk")).order_by():
            counts[row["status"]] = row["n"]
        return counts


class SummaryJob(models.Model):
    """One PDF candidate summary: asked for, made in the background, then downloaded."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="summary_jobs")
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="summary_jobs"
    )
    batch = models.ForeignKey(
        SummaryBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Shown to the person who asked: plain words, no stack traces.
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=summary_file_path, blank=True, max_length=255)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the job was handed to the broker (None: never reached it).
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker rendering the job: renewed while it works (vbr.leases).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SummaryJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "sent_at"]),
            models.Index(fields=["application", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Summary of {self.application} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def seconds_taken(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.created_at).total_seconds()

    def claim(self) -> str | None:
        """Move a queued job to rendering, or take over one whose worker has gone; returns
        the lease's owner id. None if a live worker has it or it is finished, which is what
        makes a task that is delivered twice harmless."""
        owner = leases.claim(
            SummaryJob.objects,
            pk=self.pk,
            waiting=self.Status.QUEUED,
            working=self.Status.RENDERING,
            max_attempts=settings.SUMMARY_MAX_ATTEMPTS,
        )
        self.refresh_from_db()
        return owner

    def fail(self, reason: str, *, owner: str | None = None) -> None:
        """Give up on the job, with a reason for the person who asked; with `owner`, only if
        that worker still holds it (it may have been taken over meanwhile)."""
        jobs = SummaryJob.objects.filter(pk=self.pk).exclude(status=self.Status.READY)
        if owner is not None:
            jobs = jobs.filter(lease_owner=owner)
        jobs.update(status=self.Status.FAILED, error=reason[:300], finished_at=timezone.now())
        self.refresh_from_db()

    def download_name(self) -> str:
        from django.utils.text import slugify

        candidate = self.application.candidate
        name = slugify(f"{candidate.last_name} {candidate.first_name}") or "candidate"
        return f"summary-{name}-{self.application_id}.pdf"
