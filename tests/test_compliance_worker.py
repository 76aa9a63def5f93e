"""The inspector PDF of a safer-recruitment file through a real Celery worker, real Redis and
the test's own PostgreSQL (see tests/test_pdf_worker.py for the set-up)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests import factories as f
from tests.celery_worker import running_worker
from tests.test_pdf_worker import worker_setup  # noqa: F401 -- fixture
from vbr.accounts.models import Provider, User
from vbr.compliance import inspector_pdf, workflow
from vbr.compliance.models import FilePdfJob
from vbr.recruitment.models import Application

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_makes_the_inspector_pdf(
    sunrise: Provider,
    alice: User,
    worker_setup: dict[str, str],  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
) -> None:
    role = f.make_role(provider=sunrise, title="Night carer")
    candidate = f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain")
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    file = workflow.open_file(application=application, by=alice)
    with running_worker(extra_env=worker_setup) as queue:
        settings.PDF_QUEUE = queue
        job = inspector_pdf.request_pdf(file=file, by=alice)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (FilePdfJob.Status.READY, FilePdfJob.Status.FAILED):
                break
            time.sleep(0.2)
    assert job.status == FilePdfJob.Status.READY, job.error
    assert job.attempts == 1 and job.sent_at is not None
    text = subprocess.run(
        ["pdftotext", str(Path(job.pdf.path)), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Safer-recruitment file: Amira Hussain" in text
