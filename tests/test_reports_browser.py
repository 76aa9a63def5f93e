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
from tests.browser import assert_accessible, sign_in
from vbr.accounts.models import Membership


@pytest.mark.browser
def test_an_admin_filters_by_role_and_downloads_files_that_open(
    transactional_db: None, browser_page: Any
) -> None:
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
    page = browser_page

    sign_in(page, "alice", f.PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Recruitment funnel").click()
    page.get_by_label("Role").select_option(label="Night care assistant")
    page.get_by_role("button", name="Apply filters").click()
    assert "Night care assistant" in page.inner_text("table")
    assert "Cook" not in page.inner_text("table")
    assert_accessible(page)

    page.goto("/p/sunrise/reports/")
    page.get_by_label("Role").select_option(label="Night care assistant")
    page.get_by_role("button", name="Apply filters").click()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").first.click()
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8-sig"))))
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").first.click()
    xlsx_bytes = Path(xlsx_download.value.path()).read_bytes()

    assert rows[0][:3] == ["Application", "First name", "Last name"]
    assert sorted(row[1] for row in rows[1:]) == ["Nadia", "Owen"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    assert sheet.cell(1, 2).value == "First name"
    assert sorted(sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)) == ["Nadia", "Owen"]
