"""PDF summaries through a real Celery worker, real Redis and the test's own PostgreSQL.

The worker is a separate process, so it must see the rows the test writes: the tests run
with committed transactions and hand the worker the test database's name.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.celery_worker import require_redis_url, running_worker
from tests.outages import celery_broker, free_port, private_redis, require_postgres_url
from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from vbr.accounts.models import Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.models import SummaryJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_database_url(settings) -> str:  # type: ignore[no-untyped-def]
    """The database pytest-django created, as a URL for the worker process."""
    db = settings.DATABASES["default"]
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = quote(db["USER"], safe="") + (f":{password}" if password else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def worker_setup(settings, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    require_redis_url()
    require_postgres_url()
    settings.MEDIA_ROOT = tmp_path / "media"
    return {"DATABASE_URL": test_database_url(settings), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


def wait_for(job: SummaryJob, status: str, timeout: float = 90) -> SummaryJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status} ({job.error}); wanted {status}")


def test_a_real_worker_renders_a_real_pdf(
    example: WorkedExample,  # noqa: F811
    bob: User,
    worker_setup: dict[str, str],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    with running_worker(extra_env=worker_setup) as queue:
        settings.PDF_QUEUE = queue
        # The first job also waits for the worker to boot; the second shows click-to-ready.
        warm_up = workflow.request_summary(application=example.application, requested_by=bob)
        wait_for(warm_up, SummaryJob.Status.READY)
        started = time.monotonic()
        job = workflow.request_summary(application=example.application, requested_by=bob)
        job = wait_for(job, SummaryJob.Status.READY, timeout=30)
        seconds = time.monotonic() - started

    content = Path(job.file.path).read_bytes()
    assert content.startswith(b"%PDF")
    assert job.attempts == 1 and job.sent_at is not None
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", job.file.path, "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Amira Hussain" in text
    print(f"click to ready with a worker already running: {seconds:.2f} s")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_with_the_broker_down_the_job_waits_queued_and_the_sweep_gets_it_made(
    example: WorkedExample,  # noqa: F811
    bob: User,
    as_bob: Client,
    sunrise: Provider,
    worker_setup: dict[str, str],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    url = reverse("summary-create", args=[sunrise.slug, example.application.pk])
    with (
        private_redis(port) as first_redis,
        celery_broker(broker_url),
        running_worker(extra_env={**worker_setup, "REDIS_URL": broker_url}) as queue,
    ):
        settings.PDF_QUEUE = queue
        first_redis.terminate()
        first_redis.wait(timeout=10)

        started = time.monotonic()
        response = as_bob.post(url)
        pressed_in = time.monotonic() - started

        assert response.status_code == 302
        job = SummaryJob.objects.get()
        assert job.status == SummaryJob.Status.QUEUED and job.sent_at is None
        assert pressed_in < 5

        with private_redis(port):
            # celery beat runs the sweep every minute; here we run it until it gets through.
            deadline = time.monotonic() + 60
            while workflow.sweep_summary_jobs().resent == 0:
                assert time.monotonic() < deadline, "the sweep never reached the broker"
                time.sleep(1)
            job = wait_for(job, SummaryJob.Status.READY)

    assert Path(job.file.path).read_bytes().startswith(b"%PDF")
    print(f"button pressed with the broker down answered in {pressed_in:.2f} s")
