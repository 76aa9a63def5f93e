"""In a browser: the line over a report's earlier figures, on a laptop and a phone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from tests.browser import assert_accessible, screenshot, sign_in
from vbr.accounts.models import Provider
from vbr.recruitment.management.commands.seed_demo import DEMO_PASSWORD
from vbr.reports import caching, rebuilds
from vbr.reports.models import ReportRebuild


@pytest.mark.browser
def test_the_line_over_earlier_figures_is_read_first_and_goes_once_rebuilt(
    chromium: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    sunrise = Provider.objects.get(slug="sunrise")
    # As with a separate worker, not yet at work on what is handed to it.
    monkeypatch.setattr(caching, "worker_builds", lambda: True)
    monkeypatch.setattr(rebuilds, "send_rebuilds", lambda ids: 0)
    for width, height in ((1280, 900), (390, 844)):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        page = context.new_page()
        sign_in(page, "alice", DEMO_PASSWORD)
        page.goto("/p/sunrise/reports/values/")
        line = page.get_by_role("status").filter(has_text="These figures are from")
        assert line.count() == 0
        caching.reports_changed(provider_id=sunrise.pk)
        page.reload()
        assert line.count() == 1
        assert "They are being brought up to date; reload in a moment." in line.inner_text()
        # Above the figures: the first table comes after it.
        line_box, table_box = line.bounding_box(), page.locator("table").first.bounding_box()
        assert line_box is not None and table_box is not None
        assert line_box["y"] < table_box["y"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page)
        screenshot(page, f"report-earlier-figures-{width}")
        # The worker builds it: the next view has the current figures and no line.
        rebuild = ReportRebuild.objects.get()
        assert rebuilds.run_rebuild(rebuild_id=rebuild.pk) == "done"
        page.reload()
        assert line.count() == 0
        context.close()
