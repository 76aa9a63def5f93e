"""Large exports and the report pack as an outbox: the job row first, sending that never
fails the request, the sweep that sends again, and the lease that lets a dead worker's job
be taken over."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.celery import app as celery_app
from vbr.reports import export_jobs
from vbr.reports.models import ExportJob
from vbr.reports.tasks import make_export


@pytest.fixture
def three_candidates(sunrise: Provider, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    role = f.make_role(provider=sunrise)
    for name in ("Nadia", "Owen", "Priya"):
        f.make_application(role=role, candidate=f.make_candidate(provider=sunrise, first_name=name))


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker, in-process, whatever REDIS_URL says."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def names_in(response: Any) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return sorted(sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1))


def test_with_the_broker_down_the_export_waits_and_the_sweep_gets_it_made(
    as_alice: Client,
    sunrise: Provider,
    three_candidates: None,
    eager: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from vbr.reports import views

    monkeypatch.setattr(views, "XLSX_INLINE_LIMIT", 2)
    down = mock.patch.object(make_export, "apply_async", side_effect=ConnectionError("down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        response = as_alice.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportJob.Status.PENDING and job.sent_at is None
    page = as_alice.get(response["Location"]).text
    assert "<strong>Waiting</strong>" in page
    assert "The service that makes files cannot be reached just now" in page

    report = export_jobs.sweep_export_jobs()

    job.refresh_from_db()
    assert report.resent == 1 and job.status == ExportJob.Status.DONE, job.error
    page = as_alice.get(response["Location"]).text
    assert "<strong>Ready</strong>" in page and "cannot be reached" not in page
    download = as_alice.get(reverse("export-job-download", args=[sunrise.slug, job.pk]))
    assert names_in(download) == ["Nadia", "Owen", "Priya"]


def test_an_export_whose_worker_went_silent_is_taken_over_by_the_next_delivery(
    alice: User, sunrise: Provider, three_candidates: None, settings: Any
) -> None:
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    job = ExportJob.objects.create(
        provider=sunrise,
        requested_by=alice,
        kind=ExportJob.Kind.APPLICATIONS_XLSX,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
        lease_owner="a-worker-that-was-killed",
    )
    assert make_export(job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and job.file.name.endswith(".xlsx")


def test_an_export_whose_worker_is_alive_is_left_to_it(
    alice: User, sunrise: Provider, three_candidates: None
) -> None:
    job = ExportJob.objects.create(
        provider=sunrise,
        requested_by=alice,
        kind=ExportJob.Kind.APPLICATIONS_XLSX,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        lease_owner="a-live-worker",
    )
    with mock.patch("vbr.reports.documents.write_job_file") as write:
        held = export_jobs.run_export_job(job_id=job.pk)
    assert held is not None and held.status == ExportJob.Status.RUNNING
    assert held.lease_owner == "a-live-worker"
    write.assert_not_called()


def test_the_export_sweep_puts_back_dead_workers_jobs_and_gives_up_in_plain_words(
    alice: User, sunrise: Provider, settings: Any
) -> None:
    now = timezone.now()
    silent = now - timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)

    def job(**fields: Any) -> ExportJob:
        return ExportJob.objects.create(
            provider=sunrise, requested_by=alice, kind=ExportJob.Kind.SCORES_XLSX, **fields
        )

    dead = job(status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=silent)
    hopeless = job(status=ExportJob.Status.RUNNING, attempts=3, heartbeat_at=silent)
    alive = job(status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=now)
    forgotten = job(status=ExportJob.Status.PENDING)
    ExportJob.objects.filter(pk=forgotten.pk).update(created_at=now - timedelta(hours=2))
    with mock.patch.object(export_jobs, "send_export_jobs", return_value=1) as send:
        report = export_jobs.sweep_export_jobs()
    for row in (dead, hopeless, alive, forgotten):
        row.refresh_from_db()
    assert dead.status == ExportJob.Status.PENDING and send.call_args.args[0] == [dead.pk]
    assert hopeless.status == ExportJob.Status.FAILED
    assert hopeless.error == "The file could not be made after 3 attempts."
    assert alive.status == ExportJob.Status.RUNNING
    assert forgotten.status == ExportJob.Status.FAILED
    assert "No worker picked this export up for an hour" in forgotten.error
    assert (report.requeued, report.failed) == (1, 2)


def test_the_export_sweep_is_on_celery_beats_schedule(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-export-jobs"]
    assert entry["task"] == make_export.name.replace("make_export", "sweep_export_jobs")
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == settings.JOB_SWEEP_SECONDS
