"""Start a real Celery worker process against real Redis, for the tests that need one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require_redis_url() -> str:
    """The broker URL; a missing one fails in CI (never a silent skip) and skips locally."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI: worker tests need a real Redis.")
        pytest.skip("REDIS_URL is not set: worker tests need a real Redis.")
    return url


@contextmanager
def running_worker(
    *, queue: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run a worker consuming a queue of its own (so parallel runs cannot steal its work)."""
    with worker_process(queue=queue, extra_env=extra_env) as (queue_name, _process):
        yield queue_name


@contextmanager
def worker_process(
    *,
    queue: str | None = None,
    extra_env: dict[str, str] | None = None,
    pool: str = "solo",
    name: str = "",
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A worker as running_worker starts it, with its process, for tests that kill it. With
    pool="prefork" it has one child process, which does the work (as in production)."""
    require_redis_url()
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, **(extra_env or {})}
    log_dir = ROOT / "test-artifacts"
    log_dir.mkdir(exist_ok=True)
    log = open(log_dir / f"worker-{name or queue}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vbr",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            "-Q",
            queue,
            "-n",
            f"{name or queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()
