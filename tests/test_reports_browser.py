"""An admin opens the reports in a real browser, filters by role and downloads CSV and XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Membership

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.browser
def test_an_admin_filters_by_role_and_downloads_files_that_open(
    transactional_db: None, live_server: Any
) -> None:
    from playwright.sync_api import sync_playwright

    provider = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=provider, role=Membership.Role.ADMIN, username="alice")
    wanted = f.make_role(provider=provider, title="Night care assistant")
    other = f.make_role(provider=provider, title="Cook")
    stage = f.make_stage(role=wanted)
    for role, first_name in ((wanted, "Nadia"), (wanted, "Owen"), (other, "Priya")):
        application = f.make_application(
            role=role, candidate=f.make_candidate(provider=provider, first_name=first_name)
        )
        f.make_stage_entry(application=application, stage=stage, entered_at=timezone.now())

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(accept_downloads=True).new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", f.PASSWORD)
        page.click("button[type=submit]")
        page.click("text=Reports")
        page.click("text=Recruitment funnel")
        page.select_option("select[name=role]", label="Night care assistant")
        page.click("text=Apply filters")
        assert "Night care assistant" in page.inner_text("table")
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run())"
                ".violations.map(v => v.id + v.nodes.map(n => n.target))"
            )
            assert violations == []

        page.click("text=Reports >> nth=0")
        page.select_option("select[name=role]", label="Night care assistant")
        page.click("text=Apply filters")
        with page.expect_download() as csv_download:
            page.click("a:has-text('CSV') >> nth=0")
        rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8-sig"))))
        with page.expect_download() as xlsx_download:
            page.click("a:has-text('XLSX') >> nth=0")
        xlsx_bytes = Path(xlsx_download.value.path()).read_bytes()
        browser.close()

    assert rows[0][:3] == ["Application", "First name", "Last name"]
    assert sorted(row[1] for row in rows[1:]) == ["Nadia", "Owen"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    assert sheet.cell(1, 2).value == "First name"
    assert sorted(sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)) == ["Nadia", "Owen"]
