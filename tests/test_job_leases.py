"""A worker killed mid-render: its lease on the job lapses within seconds, and the job is
made again within half a minute, by the task delivered again or by the sweep.

The first tests drive the lease directly; the `worker` tests kill real Celery workers
(Redis, and the test's PostgreSQL shared with the worker process)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from tests.celery_worker import worker_process
from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from tests.test_pdf_worker import wait_for, worker_setup  # noqa: F401 -- fixture
from vbr import leases
from vbr.accounts.models import User
from vbr.recruitment import pdf, workflow
from vbr.recruitment.models import SummaryJob
from vbr.recruitment.workflow import summaries


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def rendering_job(example: WorkedExample, *, heard_from_seconds_ago: float) -> SummaryJob:  # noqa: F811
    """A job a worker claimed, and last renewed its lease on that long ago."""
    started = timezone.now() - timedelta(seconds=heard_from_seconds_ago)
    return SummaryJob.objects.create(
        provider=example.application.provider,
        application=example.application,
        status=SummaryJob.Status.RENDERING,
        attempts=1,
        started_at=started,
        heartbeat_at=started,
        lease_owner="a-worker-that-was-killed",
    )


def test_a_job_whose_worker_went_silent_is_taken_over_by_the_next_delivery(
    example: WorkedExample,  # noqa: F811
    media: Path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    job = rendering_job(example, heard_from_seconds_ago=settings.JOB_LEASE_SECONDS + 1)
    job = workflow.run_summary_job(job_id=job.pk)
    assert job is not None
    assert job.status == SummaryJob.Status.READY and job.attempts == 2
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")


def test_a_job_whose_worker_is_alive_is_left_to_it(
    example: WorkedExample,  # noqa: F811
    media: Path,
) -> None:
    job = rendering_job(example, heard_from_seconds_ago=1)
    with mock.patch.object(pdf, "render_summary_pdf") as render:
        job = workflow.run_summary_job(job_id=job.pk)
    assert job is not None and job.status == SummaryJob.Status.RENDERING
    assert job.lease_owner == "a-worker-that-was-killed" and job.attempts == 1
    render.assert_not_called()


def test_a_slow_worker_taken_over_from_cannot_overwrite_the_new_holders_job(
    example: WorkedExample,  # noqa: F811
    bob: User,
    media: Path,
) -> None:
    job = workflow.request_summary(application=example.application, requested_by=bob)
    real_render = pdf.render_summary_pdf

    def render_then_be_taken_over(**kwargs: object) -> bytes:
        content = real_render(**kwargs)  # type: ignore[arg-type]
        # Meanwhile the lease lapsed and another worker claimed the job.
        SummaryJob.objects.filter(pk=job.pk).update(lease_owner="the-new-holder", attempts=2)
        return content

    with mock.patch.object(pdf, "render_summary_pdf", side_effect=render_then_be_taken_over):
        workflow.run_summary_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == SummaryJob.Status.RENDERING and job.lease_owner == "the-new-holder"
    assert not job.file
    # Its file was removed, not left behind without a job.
    assert not list((media / "private" / "summaries").rglob("*.pdf"))


def test_the_sweep_puts_back_a_job_only_once_its_lease_has_lapsed(
    example: WorkedExample,  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
) -> None:
    silent = rendering_job(example, heard_from_seconds_ago=settings.JOB_LEASE_SECONDS + 1)
    alive = rendering_job(example, heard_from_seconds_ago=settings.JOB_HEARTBEAT_SECONDS)
    with mock.patch.object(summaries, "send_summary_jobs", return_value=1) as send:
        report = workflow.sweep_summary_jobs()
    silent.refresh_from_db(), alive.refresh_from_db()
    assert silent.status == SummaryJob.Status.QUEUED and send.call_args.args[0] == [silent.pk]
    assert alive.status == SummaryJob.Status.RENDERING
    assert report.requeued == 1


def test_the_sweep_runs_often_enough_to_recover_a_killed_worker_within_30_seconds(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    sweep = settings.CELERY_BEAT_SCHEDULE["sweep-summary-jobs"]["schedule"]
    assert settings.JOB_HEARTBEAT_SECONDS < settings.JOB_LEASE_SECONDS
    # The longest wait: the lease lapses, then the next sweep comes round.
    assert settings.JOB_LEASE_SECONDS + sweep <= 25


@pytest.mark.django_db(transaction=True)
def test_a_working_job_keeps_its_lease_alive(
    example: WorkedExample,  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = rendering_job(example, heard_from_seconds_ago=5)
    before = job.heartbeat_at
    assert before is not None
    with leases.heartbeat(SummaryJob.objects, pk=job.pk, owner=job.lease_owner):
        time.sleep(0.5)
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.heartbeat_at > before + timedelta(seconds=4)
    # Somebody else's lease is not renewed by it.
    with leases.heartbeat(SummaryJob.objects, pk=job.pk, owner="someone-else"):
        time.sleep(0.3)
    renewed = job.heartbeat_at
    job.refresh_from_db()
    assert job.heartbeat_at == renewed


# -- Real workers, killed ----------------------------------------------------------------------


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def kill_while_rendering(job: SummaryJob, pids: list[int] | None, worker_pid: int) -> float:
    """SIGKILL the process rendering `job` once it has started; returns when (monotonic)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == SummaryJob.Status.RENDERING:
            for pid in pids if pids is not None else pool_children(worker_pid):
                os.kill(pid, signal.SIGKILL)
            return time.monotonic()
        assert job.status == SummaryJob.Status.QUEUED, job.status
        time.sleep(0.01)
    raise AssertionError("the job never started rendering")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_pdf_whose_worker_process_was_killed_mid_render_is_ready_within_30_seconds(
    example: WorkedExample,  # noqa: F811
    bob: User,
    worker_setup: dict[str, str],  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """As when the kernel kills a rendering process for its memory: the pool's parent sees
    its child die and the broker delivers the task again at once, to a new child."""
    with worker_process(extra_env=worker_setup, pool="prefork") as (queue, worker):
        settings.PDF_QUEUE = queue
        warm_up = workflow.request_summary(application=example.application, requested_by=bob)
        wait_for(warm_up, SummaryJob.Status.READY)

        job = workflow.request_summary(application=example.application, requested_by=bob)
        killed_at = kill_while_rendering(job, None, worker.pid)
        job = wait_for(job, SummaryJob.Status.READY, timeout=30)
        seconds = time.monotonic() - killed_at

    assert job.attempts == 2, "the first attempt was not the one killed"
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")
    assert seconds < 30
    print(f"killed mid-render (process of the pool) to ready: {seconds:.1f} s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_pdf_whose_whole_worker_was_killed_mid_render_is_ready_within_30_seconds(
    example: WorkedExample,  # noqa: F811
    bob: User,
    worker_setup: dict[str, str],  # noqa: F811
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """As when a worker container is killed: nothing is delivered again (the broker keeps
    the message unacknowledged for an hour), so the sweep, which celery beat runs every
    JOB_SWEEP_SECONDS and this test runs at that pace, hands the job to another worker."""
    with worker_process(extra_env=worker_setup, name="first") as (queue, first):
        settings.PDF_QUEUE = queue
        warm_up = workflow.request_summary(application=example.application, requested_by=bob)
        wait_for(warm_up, SummaryJob.Status.READY)
        job = workflow.request_summary(application=example.application, requested_by=bob)
        killed_at = kill_while_rendering(job, [first.pid], first.pid)
        first.wait(timeout=10)

    with worker_process(extra_env=worker_setup, queue=queue, name="second"):
        every = settings.CELERY_BEAT_SCHEDULE["sweep-summary-jobs"]["schedule"]
        next_sweep = killed_at
        while job.status != SummaryJob.Status.READY and time.monotonic() - killed_at < 30:
            if time.monotonic() >= next_sweep:
                workflow.sweep_summary_jobs()
                next_sweep += every
            time.sleep(0.1)
            job.refresh_from_db()
        seconds = time.monotonic() - killed_at

    assert job.attempts == 2, "the first attempt was not the one killed"
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")
    assert seconds < 30
    print(f"killed mid-render (whole worker) to ready: {seconds:.1f} s")
