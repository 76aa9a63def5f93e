"""Retention by where the application came from, beside retention by values score: a worked
example with small sources hidden, on the page, in the CSV and in the XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Provider
from vbr.recruitment.models import Application
from vbr.reports import analytics

S = Application.Source


def hire(role: Any, *, source: str, started_days_ago: int, left_after: int | None) -> None:
    application = f.make_application(role=role, status=Application.Status.HIRED)
    Application.objects.filter(pk=application.pk).update(source=source)
    today = timezone.localdate()
    start = today - timedelta(days=started_days_ago)
    f.make_outcome(
        application=application,
        start_date=start,
        left_on=None if left_after is None else start + timedelta(days=left_after),
    )


@pytest.fixture
def worked(sunrise: Provider) -> None:
    """19 hires:

    - referral: 6, started 400 days ago; one left after 100 days (between 3 and 6 months).
      3 months 6 of 6; 6 months 5 of 6; 12 months 5 of 6 (83.3 %).
    - job board: 5, started 400 days ago; two left after 50 days, one after 200 days.
      3 months 3 of 5; 6 months 3 of 5; 12 months 2 of 5.
    - own website: 5, started 120 days ago, all in post: 3 months 5 of 5; nobody could have
      reached 6 or 12 months yet, so those months are left out.
    - agency: 2, and return to care: 1, started 400 days ago, all in post.

    Agency and return to care have fewer than 5 hires: hidden. Together they are 3, fewer than
    5, which the total would give away, so the shown source with the fewest hires is hidden
    too: job board and own website both have 5, and job board comes first by its code.
    """
    role = f.make_role(provider=sunrise)
    for left_after in (None, None, None, None, None, 100):
        hire(role, source=S.REFERRAL, started_days_ago=400, left_after=left_after)
    for left_after in (None, None, 50, 50, 200):
        hire(role, source=S.JOB_BOARD, started_days_ago=400, left_after=left_after)
    for _ in range(5):
        hire(role, source=S.WEBSITE, started_days_ago=120, left_after=None)
    for _ in range(2):
        hire(role, source=S.AGENCY, started_days_ago=400, left_after=None)
    hire(role, source=S.RETURN_TO_CARE, started_days_ago=400, left_after=None)


def report_url(provider: Provider, **query: str) -> str:
    url = reverse("report-detail", args=[provider.slug, "retention"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section_rows(response: Any, heading: str) -> list[list[Any]]:
    for section in response.context["report"].sections:
        if section.heading == heading:
            return section.table.rows
    raise AssertionError(f"No section {heading!r}")


def test_retention_by_source_worked_example_hides_small_sources(
    as_alice: Client, sunrise: Provider, worked: None
) -> None:
    response = as_alice.get(report_url(sunrise))
    rows = {row[0]: row[1:] for row in section_rows(response, "Retention by source")}

    assert list(rows) == [
        "Our website",
        "Job board",
        "Referral by staff",
        "Agency",
        "Returning to care",
    ]
    # Hires, then stayed / of / % at 3, 6 and 12 months.
    assert rows["Referral by staff"] == [6, 6, 6, 100.0, 5, 6, 83.3, 5, 6, 83.3]
    assert rows["Our website"] == [5, 5, 5, 100.0, None, None, None, None, None, None]
    for hidden in ("Job board", "Agency", "Returning to care"):
        assert rows[hidden] == ["not shown", *[None] * 9]
    page = response.text
    assert "Retention by where the application came from" in page
    assert "A source with fewer than 5 hires is not shown" in page
    # Beside retention by values score, which still counts all 19.
    by_band = {row[0]: row for row in section_rows(response, "Retention by values score")}
    assert by_band["All hires"][1] == 19


def test_retention_by_source_in_the_csv_and_the_xlsx(
    as_alice: Client, sunrise: Provider, worked: None
) -> None:
    def body(response: Any) -> bytes:
        return b"".join(response.streaming_content) if response.streaming else response.content

    csv_text = body(as_alice.get(report_url(sunrise, format="csv"))).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(csv_text)))
    referral = next(line for line in lines if line and line[0] == "Referral by staff")
    assert referral[:4] == ["Referral by staff", "6", "6", "6"]
    assert next(line[:2] for line in lines if line and line[0] == "Job board") == [
        "Job board",
        "not shown",
    ]

    workbook = openpyxl.load_workbook(
        io.BytesIO(body(as_alice.get(report_url(sunrise, format="xlsx"))))
    )
    values = [
        [cell for cell in row if cell is not None]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    assert ["Referral by staff", 6, 6, 6, 100, 5, 6, 83.3, 5, 6, 83.3] in values


def test_one_small_source_takes_another_with_it_and_zero_stays_hidden() -> None:
    today = date(2026, 12, 1)
    start = date(2025, 1, 1)
    hires = [analytics.Hire(start, None, "passed", 3.0, S.REFERRAL) for _ in range(7)]
    hires += [analytics.Hire(start, None, "passed", 3.0, S.JOB_BOARD) for _ in range(6)]
    hires += [analytics.Hire(start, None, "passed", 3.0, S.AGENCY) for _ in range(4)]

    rows = {row.source: row for row in analytics.retention_by_source(hires, today=today)}

    assert rows[S.AGENCY].hidden
    # Agency alone hidden would be 17 - 7 - 6 = 4: the smaller shown source goes too.
    assert rows[S.JOB_BOARD].hidden
    assert not rows[S.REFERRAL].hidden
    assert rows[S.REFERRAL].retained[12] == analytics.Rate(7, 7)
    assert analytics.retention_by_source([], today=today) == []
