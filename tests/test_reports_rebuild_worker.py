"""A report rebuilt by a real Celery worker, through Redis, after a change: until it has, the
page shows the earlier figures saying when they are from; then the current ones."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests import factories as f
from tests.celery_worker import require_redis_url, running_worker
from tests.test_reports import report_url, table
from tests.test_reports_fresh import LINE
from vbr.accounts.models import Membership
from vbr.recruitment import workflow
from vbr.recruitment.models import Panellist, Scorecard
from vbr.reports.models import ReportRebuild


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_brings_a_report_up_to_date_after_a_change(settings: Any) -> None:
    require_redis_url()
    if connection.vendor != "postgresql":
        pytest.skip("The worker process needs a database it can share: PostgreSQL.")
    provider = f.make_provider(name="Sunrise Care", slug="sunrise")
    alice = f.make_member(provider=provider, role=Membership.Role.ADMIN, username="alice")
    bob = f.make_member(provider=provider, role=Membership.Role.MANAGER, full_name="Bob Okafor")
    dev = f.make_member(provider=provider, full_name="Dev Raman", expert=True)
    role = f.make_role(provider=provider, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    compassion = f.make_value(provider=provider, name="Compassion", order=1)
    kindness = f.make_criterion(stage=interview, core_value=compassion, prompt="Kindness")
    application = f.make_application(role=role, stage=interview)
    assessment = f.make_assessment(application=application, stage=interview)
    f.make_scorecard(
        panellist=f.make_panellist(assessment=assessment, user=bob),
        levels={kindness: 3},
        submitted=True,
    )
    dev_place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    client = Client()
    client.force_login(alice)
    url = report_url(provider, "values")

    def levels() -> tuple[list[Any], bool]:
        page = client.get(url)
        row = next(r for r in table(page, "Levels per value") if r[0] == "Compassion")
        return row[1:6], bool(LINE.search(page.text))

    # The worker is not running yet: what is handed to it waits on its queue, in Redis.
    queue = f"test-{uuid.uuid4().hex[:10]}"
    settings.EXPORT_QUEUE = queue
    assert levels() == ([0, 0, 1, 0, 0], False)
    workflow.submit_scorecard(
        panellist=dev_place,
        answers={kindness.pk: workflow.Answer(level=4)},
        recommendation=Scorecard.Recommendation.YES,
        summary="",
    )
    # Committed: the worker is told straight away (the message waits for it), and Alice's
    # next view shows the earlier figures, saying so, and hands their rebuild on too.
    assert levels() == ([0, 0, 1, 0, 0], True)
    rebuild = ReportRebuild.objects.get()
    assert (rebuild.report, rebuild.status) == ("values", "pending")
    assert rebuild.sent_at is not None

    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    database_url = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {"DATABASE_URL": database_url, "PATH": os.environ["PATH"]}
    with running_worker(queue=queue, extra_env=env):
        deadline = time.monotonic() + 90
        while ReportRebuild.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not ReportRebuild.objects.exists()
    assert levels() == ([0, 0, 1, 1, 0], False)
