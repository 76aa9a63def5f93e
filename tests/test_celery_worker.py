"""A real round trip: a task sent through Redis is run by a worker process the test starts."""

from __future__ import annotations

import pytest

from tests.celery_worker import running_worker
from vbr.celery import ping


@pytest.mark.worker
def test_a_task_goes_through_redis_to_a_real_worker_and_back() -> None:
    with running_worker() as queue:
        result = ping.apply_async(queue=queue)
        assert result.get(timeout=60) == "pong"
