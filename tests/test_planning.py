"""Report builds are planned for their values each time, never prepared: once prepared,
PostgreSQL may keep a plan made for any values, which ran a large provider's reports twice as
long. A page's short statements are still prepared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tests import test_reports_cache
from vbr.accounts.models import Provider
from vbr.reports.documents import filters_from_dict
from vbr.reports.queries import REPORTS, build_report

scored = test_reports_cache.scored


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements here are PostgreSQL's"
)
def test_a_reports_statements_are_never_prepared_and_a_pages_still_are(
    sunrise: Provider, scored: dict[str, Any]
) -> None:
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold, "prepared statements are on for pages (DB_PREPARE_THRESHOLD)"
    for _ in range(threshold + 2):
        for slug in REPORTS:
            build_report(slug, sunrise, filters_from_dict({}))
        # What a page runs on every view.
        Provider.objects.filter(pk=sunrise.pk).values_list("name").get()

    prepared = prepared_statements()
    assert any('FROM "accounts_provider"' in statement for statement in prepared), prepared
    # Each report's statements, by a table only the reports read.
    for table in ("reports_agreementtally", "recruitment_stageentry", "recruitment_score"):
        assert not any(f'"{table}"' in statement for statement in prepared), (table, prepared)
    assert connection.connection.prepare_threshold == threshold
