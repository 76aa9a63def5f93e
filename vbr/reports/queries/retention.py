"""Retention and outcomes: whether hires pass probation and stay 3, 6 and 12 months, by their
values score at hiring and by where their application came from, and turnover of hires over
the last year.

It reads the hired applications only: their outcome (start date, leaving date, probation) and
the per-value totals each application stores when a scorecard is submitted or amended
(`Application.value_levels`), which give the mean submitted level without reading a single
score. One query; the bands and rates are worked out in `vbr.reports.analytics`.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, Outcome
from vbr.reports import analytics, charts
from vbr.reports.queries.filters import ReportFilter
from vbr.reports.queries.tables import Report, Section, Table, rate_cells


def hires(provider: Provider, filters: ReportFilter) -> list[analytics.Hire]:
    """Hires with their outcome and the mean of their submitted levels, in one query.

    The mean is the sum over values of the per-value totals each application stores when a
    scorecard is submitted or amended (`Application.value_levels`: sum, count, mean), over
    their count: the same figure as averaging every submitted level, without reading them.
    """
    rows = (
        filters.applications(provider)
        .filter(status=Application.Status.HIRED)
        .values_list(
            "outcome__start_date",
            "outcome__left_on",
            "outcome__probation",
            "value_levels",
            "source",
        )
    )
    hired = []
    for start, left, probation, value_levels, source in rows:
        total = sum(levels[0] for levels in value_levels.values())
        count = sum(levels[1] for levels in value_levels.values())
        mean = total / count if count else None
        hired.append(analytics.Hire(start, left, probation or "", mean, source))
    return hired


def retention_report(provider: Provider, filters: ReportFilter) -> Report:
    today = timezone.localdate()
    hired = hires(provider, filters)
    report = Report(
        "retention",
        "Retention and outcomes",
        "Whether hires stay, by their values score at hiring. These are counts, not proof: "
        "small groups can differ by chance.",
    )
    probation_labels = [*Outcome.Probation.choices, ("", "No outcome recorded")]
    table = Table(
        "Probation and retention by values score at hiring (mean submitted level)",
        [
            "Values score band",
            "Hires",
            *[label for _value, label in probation_labels],
            *[
                part
                for months in analytics.RETENTION_MONTHS
                for part in (f"Stayed {months} months", "Of", f"Stayed {months} months (%)")
            ],
        ],
    )
    bars = []
    for row in analytics.retention(hired, today=today):
        table.rows.append(
            [
                row.band,
                row.hires,
                *[row.probation.get(value, 0) for value, _label in probation_labels],
                *[
                    cell
                    for months in analytics.RETENTION_MONTHS
                    for cell in rate_cells(row.retained[months])
                ],
            ]
        )
        twelve = row.retained[12]
        bars.append(charts.Bar(row.band, (twelve.value or 0) * 100, str(twelve)))
    report.sections.append(
        Section(
            "Retention by values score",
            table,
            charts.bar_chart(
                title="Stayed 12 months, by values score at hiring",
                desc="; ".join(f"{b.label}: {b.caption}" for b in bars),
                bars=bars,
                maximum=100,
            ),
            "Only hires who started long enough ago count towards each month's figure.",
        )
    )
    report.sections.append(_by_source(hired, today))
    turnover = analytics.turnover_last_year(hired, today=today)
    turnover_table = Table(
        "Turnover of hires in the last 12 months",
        ["Left", "Of hires in post in the period", "Turnover (%)"],
    )
    turnover_table.rows.append(rate_cells(turnover))
    report.sections.append(Section("Turnover", turnover_table))
    return report


SOURCE_HIDDEN_RULE = (
    f"A source with fewer than {analytics.SMALL_GROUP} hires is not shown, and where one "
    "source is hidden another is too, so that its figures cannot be worked out from the others "
    f"and the total. A month is left out (—) while fewer than {analytics.SMALL_GROUP} of a "
    "source's hires could have reached it. Sources with no hires are not listed."
)


def _by_source(hired: list[analytics.Hire], today: date) -> Section:
    """Retention by where the application came from, beside retention by values score."""
    labels = dict(Application.Source.choices)
    table = Table(
        "Retention by where the application came from",
        [
            "Source",
            "Hires",
            *[
                part
                for months in analytics.RETENTION_MONTHS
                for part in (f"Stayed {months} months", "Of", f"Stayed {months} months (%)")
            ],
        ],
    )
    bars = []
    order = {value: index for index, value in enumerate([*labels, ""])}
    rows = analytics.retention_by_source(hired, today=today)
    for row in sorted(rows, key=lambda r: order.get(r.source, len(order))):
        label = str(labels.get(row.source, "Not recorded"))
        if row.hidden:
            table.rows.append([label, "not shown", *[None] * (3 * len(analytics.RETENTION_MONTHS))])
            continue
        table.rows.append(
            [
                label,
                row.hires,
                *[
                    cell
                    for months in analytics.RETENTION_MONTHS
                    for cell in rate_cells(row.retained[months])
                ],
            ]
        )
        twelve = row.retained[12]
        if twelve is not None:
            bars.append(charts.Bar(label, (twelve.value or 0) * 100, str(twelve)))
    return Section(
        "Retention by source",
        table,
        charts.bar_chart(
            title="Stayed 12 months, by where the application came from",
            desc="; ".join(f"{b.label}: {b.caption}" for b in bars)
            or "No source has enough hires to show.",
            bars=bars,
            maximum=100,
        ),
        "Whether, for example, hires referred by staff stay longer than others. Only hires "
        f"who started long enough ago count towards each month's figure. {SOURCE_HIDDEN_RULE}",
    )
