"""The "Create PDF summary" button in a real browser, when the page's first look at the
summary's progress is still on its way: the older answer must not replace the newer one."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

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


def test_a_summary_asked_for_while_the_progress_is_still_loading_shows_as_ready(
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

    # The page's first load of the progress area is answered by the server before the
    # summary is asked for, and reaches the browser just after the button was pressed, before
    # the button's own answer.
    held: list[tuple[Any, Any]] = []

    def hold_first_load(route: Any) -> None:
        if route.request.method == "GET" and not held:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    def deliver_first_load_then_the_button(route: Any) -> None:
        first_load, stale = held[0]
        # Refused when the button's request has aborted it: then there is nothing to deliver.
        with contextlib.suppress(PlaywrightError):
            first_load.fulfill(response=stale)
        route.fulfill(response=route.fetch())

    page.route(f"**/p/sunrise/applications/{application.pk}/summary/", hold_first_load)
    page.route(
        f"**/p/sunrise/applications/{application.pk}/summary/create/",
        deliver_first_load_then_the_button,
    )
    page.goto(f"/p/sunrise/applications/{application.pk}/")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the progress area never asked for its first load"
    assert "No PDF summary has been made yet" in held[0][1].text()

    page.get_by_role("button", name="Create PDF summary").click()
    progress = page.locator("#summary-progress")
    deadline = time.monotonic() + 15
    while not SummaryJob.objects.filter(status=SummaryJob.Status.READY).exists():
        assert time.monotonic() < deadline, "the summary was never made"
        page.wait_for_timeout(100)
    page.wait_for_timeout(1500)  # time for both answers to land, and a poll or two

    assert SummaryJob.objects.get().status == SummaryJob.Status.READY
    assert "No PDF summary has been made yet" not in progress.inner_text()
    assert progress.get_by_role("link", name="Download the PDF summary").is_visible()
    assert_accessible(page)
