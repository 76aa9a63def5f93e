"""Files in an S3-compatible object store, against a real one the test starts (moto's
standalone server): PDF summaries, exports and the provider's logo are written there, never
to local disk, and go out only through the checked views. A ready PDF whose file has gone,
from the store or from local disk, is made again instead of failing."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.servers import ObjectStore, s3_server
from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from vbr.accounts.models import Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment import workflow
from vbr.recruitment.models import SummaryJob
from vbr.reports import tasks as report_tasks
from vbr.reports.models import ExportJob

BUCKET = "vbr-files"
ROOT = Path(__file__).resolve().parent.parent


def storage_from_environment(store: ObjectStore) -> dict[str, Any]:
    """STORAGES["default"] as settings.py makes it from these variables, read in a process
    of its own, as a web or worker container would."""
    env = {
        **os.environ,
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": store.endpoint_url,
        "S3_REGION": store.region,
        "S3_ACCESS_KEY": store.access_key,
        "S3_SECRET_KEY": store.secret_key,
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "vbr.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


@pytest.fixture(scope="module")
def s3() -> Iterator[ObjectStore]:
    with s3_server() as store:
        yield store


@pytest.fixture
def object_store(s3: ObjectStore, settings, tmp_path: Path) -> Iterator[ObjectStore]:  # type: ignore[no-untyped-def]
    client = s3.client()
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": s3.region})
    settings.MEDIA_ROOT = tmp_path / "local-disk"
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_environment(s3)}
    yield s3
    for key in s3.keys(BUCKET):
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def local_disk(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def pdf_text(content: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def ask_for_summary(client: Client, worked: WorkedExample, capture: Any) -> SummaryJob:
    url = reverse("summary-create", args=["sunrise", worked.application.pk])
    with capture(execute=True):
        assert client.post(url).status_code == 302
    job = worked.application.summary_jobs.get()
    assert job.status == SummaryJob.Status.READY, job.error
    return job


def download_url(job: SummaryJob) -> str:
    return reverse("summary-download", args=["sunrise", job.application_id, job.pk])


def test_the_settings_select_the_object_store_from_the_environment(s3: ObjectStore) -> None:
    storage = storage_from_environment(s3)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == BUCKET
    assert storage["OPTIONS"]["endpoint_url"] == s3.endpoint_url
    assert storage["OPTIONS"]["file_overwrite"] is False


def test_without_a_bucket_files_stay_on_local_disk(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_pdf_summary_is_written_to_the_object_store_and_served_through_the_checked_view(
    object_store: ObjectStore,
    example: WorkedExample,  # noqa: F811
    as_bob: Client,
    as_charlie: Client,
    eager_tasks: None,
    tmp_path: Path,
    settings,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = ask_for_summary(as_bob, example, django_capture_on_commit_callbacks)

    assert object_store.keys(BUCKET) == [job.file.name]
    assert job.file.name.startswith("private/summaries/")
    assert not Path(settings.MEDIA_ROOT).exists(), "nothing is written to local disk"

    response = as_bob.get(download_url(job))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "Amira Hussain" in pdf_text(body(response), tmp_path)
    assert as_charlie.get(download_url(job)).status_code == 404


def test_an_export_and_a_logo_are_kept_in_the_object_store(
    object_store: ObjectStore,
    sunrise: Provider,
    alice: User,
    as_alice: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    f.make_application(
        role=f.make_role(provider=sunrise),
        candidate=f.make_candidate(provider=sunrise, first_name="Grace", last_name="Obi"),
    )
    job = ExportJob.objects.create(
        provider=sunrise, requested_by=alice, kind=ExportJob.Kind.APPLICATIONS_XLSX
    )
    report_tasks.make_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name in object_store.keys(BUCKET)

    response = as_alice.get(reverse("export-job-download", args=["sunrise", job.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][1:3] == ["First name", "Last name"]
    assert ["Grace", "Obi"] in [row[1:3] for row in rows[1:]]

    png = _png()
    upload = io.BytesIO(png)
    upload.name = "logo.png"
    as_alice.post(reverse("provider-logo", args=["sunrise"]), {"logo": upload})
    sunrise.refresh_from_db()
    assert sunrise.logo.name in object_store.keys(BUCKET)
    logo = as_alice.get(reverse("provider-logo-image", args=["sunrise"]))
    assert body(logo) == png
    assert not Path(settings.MEDIA_ROOT).exists()


def _png() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (120, 40), (20, 90, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# -- A ready PDF whose file has gone ------------------------------------------------------------


@pytest.fixture(params=["local disk", "object store"])
def storage(request: pytest.FixtureRequest) -> str:
    """Each test below runs with files on local disk and in the object store."""
    request.getfixturevalue("local_disk" if request.param == "local disk" else "object_store")
    return str(request.param)


def test_a_ready_pdf_whose_file_has_gone_is_made_again_not_a_500(
    storage: str,
    example: WorkedExample,  # noqa: F811
    as_bob: Client,
    eager_tasks: None,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = ask_for_summary(as_bob, example, django_capture_on_commit_callbacks)
    default_storage.delete(job.file.name)
    assert not default_storage.exists(job.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_bob.get(download_url(job), follow=True)
    assert response.status_code == 200
    assert "could not be found, so it is being made again" in response.content.decode()

    job.refresh_from_db()
    assert job.status == SummaryJob.Status.READY
    assert default_storage.exists(job.file.name)
    again = as_bob.get(download_url(job))
    assert again.status_code == 200
    assert "Amira Hussain" in pdf_text(body(again), tmp_path)


def test_a_batch_zip_with_a_lost_file_makes_it_again_and_then_holds_every_summary(
    storage: str,
    example: WorkedExample,  # noqa: F811
    bob: User,
    as_bob: Client,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = workflow.request_summary_batch(
            role=example.role, stage=example.application.current_stage, requested_by=bob
        )
    (job,) = batch.jobs.all()
    default_storage.delete(job.file.name)
    url = reverse("summary-batch-download", args=["sunrise", batch.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = as_bob.get(url, follow=True)
    assert response.status_code == 200
    assert "being made again" in response.content.decode()

    zipped = zipfile.ZipFile(io.BytesIO(body(as_bob.get(url))))
    assert zipped.namelist() == [job.download_name()]
    assert zipped.read(job.download_name()).startswith(b"%PDF")
