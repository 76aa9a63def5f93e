"""Redis stopped while a large export or the report pack is asked for: the request answers
at once with the progress page, the job waits in the database, and the sweep gets it made
once Redis is back. A real redis-server of the test's own is stopped (the shared one never
is), with a real worker and the test's PostgreSQL."""

from __future__ import annotations

import io
import time
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.celery_worker import running_worker
from tests.outages import celery_broker, free_port, private_redis
from tests.test_pdf_worker import worker_setup  # noqa: F401 -- fixture
from vbr.accounts.models import Provider, User
from vbr.reports.export_jobs import sweep_export_jobs
from vbr.reports.models import ExportJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def wait_until_done(jobs: list[ExportJob], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for job in jobs:
        while job.status != ExportJob.Status.DONE:
            assert time.monotonic() < deadline, f"{job} stayed {job.status}: {job.error}"
            time.sleep(0.2)
            job.refresh_from_db()


def test_with_redis_stopped_exports_answer_at_once_and_are_made_when_it_is_back(
    alice: User,
    sunrise: Provider,
    worker_setup: dict[str, str],  # noqa: F811
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vbr.reports import views

    monkeypatch.setattr(views, "XLSX_INLINE_LIMIT", 2)  # three applications make it "large"
    role = f.make_role(provider=sunrise)
    for name in ("Nadia", "Owen", "Priya"):
        f.make_application(role=role, candidate=f.make_candidate(provider=sunrise, first_name=name))
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    with (
        private_redis(port) as redis,
        celery_broker(broker_url),
        running_worker(extra_env={**worker_setup, "REDIS_URL": broker_url}) as queue,
    ):
        settings.EXPORT_QUEUE = queue
        redis.terminate()
        redis.wait(timeout=10)

        asked, export_seconds = timed(
            lambda: client.get(reverse("application-export", args=[sunrise.slug, "xlsx"]))
        )
        pack_asked, pack_seconds = timed(
            lambda: client.post(reverse("report-pack-request", args=[sunrise.slug]))
        )
        assert (asked.status_code, pack_asked.status_code) == (302, 302)
        assert export_seconds < 5 and pack_seconds < 5
        export = ExportJob.objects.get(kind=ExportJob.Kind.APPLICATIONS_XLSX)
        pack = ExportJob.objects.get(kind=ExportJob.Kind.REPORT_PACK_PDF)
        for job in (export, pack):
            assert job.status == ExportJob.Status.PENDING and job.sent_at is None
        page = client.get(asked["Location"])
        assert page.status_code == 200
        assert "<strong>Waiting</strong>" in page.text
        assert "The service that makes files cannot be reached just now" in page.text

        with private_redis(port):
            # celery beat runs the sweep every JOB_SWEEP_SECONDS; here, until it gets through.
            deadline = time.monotonic() + 60
            while ExportJob.objects.filter(sent_at__isnull=True).exists():
                assert time.monotonic() < deadline, "the sweep never reached the broker"
                sweep_export_jobs()
                time.sleep(0.5)
            wait_until_done([export, pack])

    download = client.get(reverse("export-job-download", args=[sunrise.slug, export.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sorted(sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)) == [
        "Nadia",
        "Owen",
        "Priya",
    ]
    pdf = client.get(reverse("export-job-download", args=[sunrise.slug, pack.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    print(
        f"with Redis stopped: export answered in {export_seconds:.2f} s, pack {pack_seconds:.2f} s"
    )
