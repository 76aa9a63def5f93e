"""The page of a report pack (or a large export) says one thing about where it stands."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vbr.accounts.models import Provider
from vbr.celery import app as celery_app
from vbr.reports.models import ExportJob


def test_a_report_pack_made_at_once_says_ready_and_nothing_about_being_made(
    as_alice: Client,
    sunrise: Provider,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # a worker, in-process
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_alice.post(reverse("report-pack-request", args=[sunrise.slug]))
    job = ExportJob.objects.get(provider=sunrise)
    assert job.status == ExportJob.Status.DONE, job.error

    page = as_alice.get(asked["Location"]).text  # the worker was quick: ready at once

    assert "<strong>Ready</strong>" in page and ">Download</a>" in page
    assert "being made" not in page and "is large" not in page
    assert "The report pack is made in the background" in page


def test_a_report_pack_still_waiting_says_so_once(
    as_alice: Client,
    sunrise: Provider,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from vbr.reports import tasks

    monkeypatch.setattr(tasks.make_export, "apply_async", lambda *a, **k: None)  # no worker yet
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.post(reverse("report-pack-request", args=[sunrise.slug]), follow=True)

    page = response.text
    assert page.count("<strong>Waiting</strong>") == 1 and ">Download</a>" not in page
    assert "is large" not in page and "being made now" not in page
