"""Backup and restore as README.md describes them: a pg_dump of the database and a copy of the
files, restored into a fresh database and an empty folder, then served by the app (gunicorn)
through its checked views, to the session of a signed-in manager.

Needs PostgreSQL (DATABASE_URL) and its client programs: fails in CI without them, skips
elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.servers import free_port, server_process
from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from vbr.accounts.models import User
from vbr.celery import app as celery_app
from vbr.recruitment.models import SummaryJob
from vbr.reports import tasks as report_tasks
from vbr.reports.models import ExportJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres() -> dict[str, Any]:
    """The test database's connection settings; PostgreSQL and pg_dump are required."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql" or not shutil.which("pg_restore"):
        if os.environ.get("CI"):
            pytest.fail("The restore test needs PostgreSQL and its client programs in CI.")
        pytest.skip("The restore test needs DATABASE_URL on PostgreSQL and pg_dump.")
    return dict(database)


def pg_env(database: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, "PGHOST": str(database["HOST"] or "127.0.0.1")}
    env["PGPORT"] = str(database["PORT"] or 5432)
    env["PGUSER"] = str(database["USER"])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


@pytest.fixture
def restored_name(postgres: dict[str, Any]) -> Iterator[str]:
    """A fresh database of our own beside the test database, dropped afterwards."""
    name = f"{postgres['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["dropdb", "--if-exists", name], env=pg_env(postgres), check=False)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def fetch(url: str, session_id: str) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 -- our own loopback server
        url,
        headers={"Cookie": f"sessionid={session_id}", "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status, response.read()


def test_a_restored_database_and_files_serve_the_pdf_summary_and_the_export(
    postgres: dict[str, Any],
    restored_name: str,
    example: WorkedExample,  # noqa: F811
    bob: User,
    as_bob: Client,
    eager_tasks: None,
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    with django_capture_on_commit_callbacks(execute=True):
        as_bob.post(reverse("summary-create", args=["sunrise", example.application.pk]))
    summary = SummaryJob.objects.get()
    assert summary.status == SummaryJob.Status.READY, summary.error
    export = ExportJob.objects.create(
        provider=example.application.provider,
        requested_by=bob,
        kind=ExportJob.Kind.APPLICATIONS_XLSX,
    )
    report_tasks.make_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportJob.Status.DONE, export.error
    pdf_bytes = summary.file.read()
    export_bytes = export.file.read()
    session_id = as_bob.cookies["sessionid"].value

    # Backup: the database first, then the files.
    backup = tmp_path / "backup"
    backup.mkdir()
    env = pg_env(postgres)
    dump = backup / "vbr.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", postgres["NAME"]],
        env=env,
        check=True,
    )
    with tarfile.open(backup / "media.tar.gz", "w:gz") as archive:
        archive.add(media, arcname=".")

    # The old host is gone: rows deleted here, files deleted.
    SummaryJob.objects.all().delete()
    ExportJob.objects.all().delete()
    shutil.rmtree(media)

    # Restore: a fresh database and an empty folder.
    subprocess.run(["createdb", restored_name], env=env, check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump)],
        env=env,
        check=True,
    )
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    with tarfile.open(backup / "media.tar.gz") as archive:
        archive.extractall(restored_media, filter="data")

    port = free_port()
    database = postgres
    credentials = str(database["USER"]) + (
        f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    )
    app_env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{restored_name}"
        ),
        "MEDIA_ROOT": str(restored_media),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "SECURE_SSL": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    app_env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "vbr.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"]
    base = f"http://127.0.0.1:{port}"
    with server_process(command, port=port, env=app_env, log_name=f"restore-{port}"):
        pdf_status, served_pdf = fetch(
            base
            + reverse("summary-download", args=["sunrise", example.application.pk, summary.pk]),
            session_id,
        )
        export_status, served_export = fetch(
            base + reverse("export-job-download", args=["sunrise", export.pk]), session_id
        )

    assert pdf_status == 200 and served_pdf == pdf_bytes
    assert served_pdf.startswith(b"%PDF")
    assert export_status == 200 and served_export == export_bytes
    assert served_export.startswith(b"PK"), "an XLSX file"
