"""The "Create PDF summary" button in a real browser: the application page arrives with the
summary's progress in it (no second request), and the button's answer shows the new summary."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests import factories as f
from tests.browser import assert_accessible, sign_in
from vbr.celery import app as celery_app
from vbr.recruitment.models import Panellist, SummaryJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks() -> Any:
    """Tasks run in the request, as in the demo, so the PDF is ready when the button answers."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_the_summary_area_arrives_with_the_page_and_shows_the_new_summary_as_ready(
    browser_page: Any, eager_tasks: None, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    bob = f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview")
    criterion = f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    application = f.make_application(role=role, stage=interview)
    assessment = f.make_assessment(application=application, stage=interview)
    panellist = f.make_panellist(
        assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR
    )
    f.make_scorecard(panellist=panellist, levels={criterion: 3}, submitted=True)
    page = browser_page
    sign_in(page, "bob", f.PASSWORD)

    # The progress area is part of the page: nothing is fetched for it on arrival.
    asked: list[str] = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "/summary/" in request.url else None,
    )
    page.goto(f"/p/sunrise/applications/{application.pk}/")
    progress = page.locator("#summary-progress")
    assert "No PDF summary has been made yet" in progress.inner_text()
    page.wait_for_timeout(1000)
    assert asked == []

    page.get_by_role("button", name="Create PDF summary").click()
    deadline = time.monotonic() + 15
    while not SummaryJob.objects.filter(status=SummaryJob.Status.READY).exists():
        assert time.monotonic() < deadline, "the summary was never made"
        page.wait_for_timeout(100)
    page.wait_for_timeout(1500)  # time for the button's answer to land, and a poll or two

    assert SummaryJob.objects.get().status == SummaryJob.Status.READY
    assert "No PDF summary has been made yet" not in progress.inner_text()
    assert progress.get_by_role("link", name="Download the PDF summary").is_visible()
    page.screenshot(path="test-artifacts/pdf-summary-area-ready.png", full_page=True)
    assert_accessible(page)
