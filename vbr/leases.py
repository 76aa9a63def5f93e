"""Leases on background jobs (PDF summaries, large exports): which worker holds a job, and
whether that worker is still alive.

A worker that claims a job takes a lease on its row: a random owner id, and a heartbeat
time that a thread renews every JOB_HEARTBEAT_SECONDS while the work goes on. A job whose
heartbeat is older than JOB_LEASE_SECONDS has lost its worker (killed, out of memory, its
host gone): the task delivered again for it, or the beat sweep, takes it over, within
seconds instead of waiting out the longest a job may take.

The owner id guards the end of the work: a worker that was only slow, and taken over from,
cannot then overwrite the result of the one holding the job now.

The job models carry the fields used here: `status`, `attempts`, `started_at`,
`heartbeat_at` and `lease_owner`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger("vbr.leases")


def lapsed(now: datetime) -> Q:
    """Jobs whose worker has given no sign of life for a lease's length. (A job claimed before
    heartbeats were kept has only its start time.)"""
    since = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)


def seconds_left(heartbeat_at: datetime | None, now: datetime | None = None) -> float:
    """How long until a lease renewed at `heartbeat_at` lapses, if it is not renewed."""
    if heartbeat_at is None:
        return 0.0
    now = now or timezone.now()
    ends = heartbeat_at + timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return max(0.0, (ends - now).total_seconds())


# The job model's manager or a queryset of it.
Jobs = models.QuerySet[Any] | models.Manager[Any]


@dataclass(frozen=True)
class SweepReport:
    resent: int
    requeued: int
    failed: int


def sweep(
    jobs: Jobs,
    *,
    waiting: str,
    working: str,
    failed: str,
    max_attempts: int,
    resend_after_seconds: int,
    send: Callable[[list[int]], int],
    unclaimed_error: str,
    exhausted_error: str,
    now: datetime | None = None,
) -> SweepReport:
    """The beat sweep of a job outbox: give up (with `unclaimed_error`) on jobs no worker took
    for an hour, put back jobs whose lease lapsed (or give up with `exhausted_error` once out
    of attempts), and hand to `send` the waiting jobs never sent or sent too long ago."""
    now = now or timezone.now()
    given_up = jobs.filter(status=waiting, created_at__lt=now - timedelta(hours=1)).update(
        status=failed, finished_at=now, error=unclaimed_error
    )
    stuck = jobs.filter(status=working).filter(lapsed(now))
    given_up += stuck.filter(attempts__gte=max_attempts).update(
        status=failed, finished_at=now, error=exhausted_error
    )
    requeued = stuck.update(status=waiting, sent_at=None, lease_owner="")
    due = list(
        jobs.filter(status=waiting)
        .filter(
            Q(sent_at__isnull=True) | Q(sent_at__lt=now - timedelta(seconds=resend_after_seconds))
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    return SweepReport(resent=send(due), requeued=requeued, failed=given_up)


def claim(jobs: Jobs, *, pk: int, waiting: str, working: str, max_attempts: int) -> str | None:
    """Take the job `pk` if it is waiting, or working under a lease that has lapsed, and fewer
    than `max_attempts` attempts have been made. Returns the new owner id, or None when the
    job is held by a live worker, finished, or out of attempts (the sweep then fails it).

    One UPDATE, so that of two workers claiming together exactly one gets the job."""
    now = timezone.now()
    owner = uuid.uuid4().hex
    taken = (
        jobs.filter(pk=pk, attempts__lt=max_attempts)
        .filter(Q(status=waiting) | (Q(status=working) & lapsed(now)))
        .update(
            status=working,
            started_at=now,
            heartbeat_at=now,
            lease_owner=owner,
            attempts=F("attempts") + 1,
        )
    )
    return owner if taken else None


@contextmanager
def heartbeat(jobs: Jobs, *, pk: int, owner: str) -> Iterator[None]:
    """Renew the lease of `owner` on job `pk` from a thread while the block runs.

    The thread has its own database connection, closed when it stops. A renewal that fails
    (the database restarting) is tried again at the next beat; if the lease lapses meanwhile
    the job may be taken over, and the owner check makes this worker's result a no-op."""
    stop = threading.Event()
    every = settings.JOB_HEARTBEAT_SECONDS

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    held = jobs.filter(pk=pk, lease_owner=owner).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Could not renew the lease on job %s", pk)
                    continue
                if not held:
                    logger.warning("Job %s was taken over by another worker", pk)
                    return
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"lease-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
