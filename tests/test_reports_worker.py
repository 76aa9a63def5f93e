"""A large export made by a real Celery worker, through Redis, into Django storage."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection

from tests import factories as f
from tests.celery_worker import require_redis_url, running_worker
from vbr.accounts.models import Membership
from vbr.reports.export_jobs import send_export_jobs
from vbr.reports.models import ExportJob


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_a_large_xlsx_that_the_admin_can_download(
    settings: Any, tmp_path: Path, client: Any
) -> None:
    require_redis_url()
    if connection.vendor != "postgresql":
        pytest.skip("The worker process needs a database it can share: PostgreSQL.")
    provider = f.make_provider(slug="sunrise")
    admin = f.make_member(provider=provider, role=Membership.Role.ADMIN, username="alice")
    role = f.make_role(provider=provider)
    for name in ("Nadia", "Owen", "=cmd|' /C calc'!A0"):
        f.make_application(
            role=role, candidate=f.make_candidate(provider=provider, first_name=name)
        )
    job = ExportJob.objects.create(
        provider=provider, requested_by=admin, kind=ExportJob.Kind.APPLICATIONS_XLSX
    )
    settings.MEDIA_ROOT = tmp_path
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    database_url = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {"DATABASE_URL": database_url, "MEDIA_ROOT": str(tmp_path), "PATH": os.environ["PATH"]}

    with running_worker(extra_env=env) as queue:
        settings.EXPORT_QUEUE = queue
        assert send_export_jobs([job.pk]) == 1
        deadline = time.monotonic() + 120
        while job.status != ExportJob.Status.DONE and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()

    assert job.status == ExportJob.Status.DONE, job.error
    client.force_login(admin)
    response = client.get(f"/p/{provider.slug}/reports/exports/{job.pk}/download/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = sorted(sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1))
    assert names == ["'=cmd|' /C calc'!A0", "Nadia", "Owen"]
