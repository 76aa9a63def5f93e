"""The reports, one module each: database queries (aggregated in the database where
possible, a constant number per report whatever the number of applications) assembled into
tables and charts.

Every report starts from the provider and honours the same filters (`filters.ReportFilter`).
Only submitted scorecards feed any figure: the values and panel reports sum the tallies each
assessment stores when a scorecard is submitted or amended (`vbr.reports.agreement`), and
retention reads each application's stored per-value totals. Pages cache what these build
(`vbr.reports.caching`).
"""

from __future__ import annotations

from vbr.accounts.models import Provider
from vbr.planning import planned_for_their_values
from vbr.reports.queries.fairness import characteristic_choices, fairness_report
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.funnel import DaysBetween, funnel_report
from vbr.reports.queries.involvement import involvement_report
from vbr.reports.queries.panel import panel_report
from vbr.reports.queries.retention import hires, retention_report
from vbr.reports.queries.tables import Cell, Report, Section, Table, days_cell, rate_cells
from vbr.reports.queries.values import LEVEL_SERIES, submitted_counts, values_report

__all__ = [
    "LEVEL_SERIES",
    "REPORTS",
    "REPORT_TITLES",
    "Cell",
    "DaysBetween",
    "Report",
    "ReportFilter",
    "Section",
    "Table",
    "build_report",
    "characteristic_choices",
    "days_cell",
    "fairness_report",
    "funnel_report",
    "hires",
    "involvement_report",
    "panel_report",
    "rate_cells",
    "retention_report",
    "submitted_counts",
    "values_report",
]

REPORTS = {
    "funnel": funnel_report,
    "values": values_report,
    "panel": panel_report,
    "retention": retention_report,
    "fairness": fairness_report,
    "involvement": involvement_report,
}
REPORT_TITLES = {
    "funnel": "Recruitment funnel",
    "values": "Values evidence",
    "panel": "Panel involvement and agreement",
    "retention": "Retention and outcomes",
    "fairness": "Fairness",
    "involvement": "Involvement of people who draw on care",
}


def build_report(slug: str, provider: Provider, filters: ReportFilter) -> Report:
    """Every report is built here, by a worker or in the page: its long statements are
    planned for their values each time, never prepared (see `vbr.planning`)."""
    with planned_for_their_values():
        return REPORTS[slug](provider, filters)
