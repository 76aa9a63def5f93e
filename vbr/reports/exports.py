"""Exports: reports as CSV/XLSX, applications and scores streamed as CSV or written to XLSX
in constant memory, and the anonymised research export.

Rows come from `values_list(...).iterator()`, so a very large provider's export starts at once
and holds only one chunk in memory. Every text cell goes through `neutralise`, so that what a
candidate typed cannot become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db.models import Avg, Q, QuerySet
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, CoreValue, Score
from vbr.reports import analytics
from vbr.reports.queries import Report, ReportFilter

FORMULA_FIRST = frozenset(("=", "+", "-", "@", "\t", "\r"))
CHUNK_ROWS = 2000


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    # Called for every cell of a large export: the common cases come first.
    if value.__class__ is str:
        return "'" + value if value[:1] in FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


class _Echo:
    """A file-like object whose write returns the text, for csv.writer into a stream."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Encode rows as CSV in buffered chunks of CHUNK_ROWS rows (one yield per chunk).

    The per-cell work is written inline (not a call to `_cell`) because it runs for every
    cell of a very large export; it does the same: neutralise text, format times, and let
    the csv module write None as an empty cell and numbers as they are.
    """
    writer = csv.writer(_Echo())
    tz = timezone.get_current_timezone()
    formula_first = FORMULA_FIRST
    buffer = ["\ufeff" + writer.writerow([_cell(h) for h in headers])]
    append = buffer.append
    for row in rows:
        append(
            writer.writerow(
                [
                    ("'" + v if v[:1] in formula_first else v)
                    if v.__class__ is str
                    else (
                        v.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                        if v.__class__ is datetime
                        else v
                    )
                    for v in row
                ]
            )
        )
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(
    target: str | IO[bytes], sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """Write sheets (name, headers, rows) with XlsxWriter in constant-memory mode.

    Strings are written as strings (never parsed as formulas or numbers), and neutralised too
    so that they stay inert if the file is saved as CSV later.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.write_row(0, 0, [str(h) for h in headers], bold)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                cell = _cell(value)
                if isinstance(cell, str):
                    sheet.write_string(index, column, cell)
                elif isinstance(cell, bool):
                    sheet.write_boolean(index, column, cell)
                else:
                    sheet.write_number(index, column, cell)
    workbook.close()


# Reports -------------------------------------------------------------------------------


def report_csv_rows(report: Report) -> Iterator[list[Any]]:
    """All of a report's tables one after another, each under its caption."""
    for number, section in enumerate(report.sections):
        if number:
            yield []
        yield [section.table.caption]
        yield list(section.table.headers)
        yield from section.table.rows


def report_sheets(report: Report) -> list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]:
    return [
        (f"{number + 1} {section.heading}"[:31], section.table.headers, section.table.rows)
        for number, section in enumerate(report.sections)
    ]


# Applications and scores ---------------------------------------------------------------


def provider_values(provider: Provider) -> list[CoreValue]:
    return list(provider.core_values.order_by("order", "name"))


def value_means(
    provider: Provider, filters: ReportFilter
) -> Iterator[tuple[int, int, float | None]]:
    """(application id, value id, mean submitted level) ordered by application: one query,
    grouped in the database."""
    return (
        Score.objects.filter(
            scorecard__submitted_at__isnull=False,
            level__isnull=False,
            scorecard__assessment__application__in=filters.applications(provider),
        )
        .values("scorecard__assessment__application_id", "criterion__core_value_id")
        .annotate(mean=Avg("level"))
        .order_by("scorecard__assessment__application_id")
        .values_list("scorecard__assessment__application_id", "criterion__core_value_id", "mean")
        .iterator(chunk_size=CHUNK_ROWS)
    )


def applications_export(
    provider: Provider, filters: ReportFilter, values: Sequence[CoreValue]
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """One row per application with the mean submitted level per value.

    Two queries read side by side, both ordered by application: the applications, and the
    per-value means grouped in the database. Merging them as they stream keeps memory flat
    and lets the database aggregate in one pass instead of per application.
    """
    columns = [
        "pk",
        "candidate__first_name",
        "candidate__last_name",
        "candidate__email",
        "role__title",
        "current_stage__name",
        "status",
        "source",
        "applied_at",
    ]
    rows = (
        filters.applications(provider)
        .order_by("pk")
        .values_list(*columns)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    headers = [
        "Application",
        "First name",
        "Last name",
        "Email",
        "Role",
        "Current stage",
        "Status",
        "Source",
        "Applied",
        *[f"{value.name} (mean level)" for value in values],
    ]
    position = {value.pk: index for index, value in enumerate(values)}

    def merged() -> Iterator[Sequence[Any]]:
        means = value_means(provider, filters)
        pending = next(means, None)
        for row in rows:
            cells: list[float | None] = [None] * len(values)
            while pending is not None and pending[0] <= row[0]:
                if pending[0] == row[0] and pending[1] in position and pending[2] is not None:
                    cells[position[pending[1]]] = round(pending[2], 2)
                pending = next(means, None)
            yield (*row, *cells)

    return headers, merged()


def scores_export(
    provider: Provider, filters: ReportFilter
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """One row per answered score on a submitted scorecard."""
    scores: QuerySet[Score] = Score.objects.filter(
        scorecard__submitted_at__isnull=False,
        scorecard__assessment__application__in=filters.applications(provider),
    ).filter(Q(level__isnull=False) | Q(not_observed=True))
    if filters.stage_id:
        scores = scores.filter(scorecard__assessment__stage_id=filters.stage_id)
    rows = (
        scores.order_by("scorecard__assessment__application_id", "scorecard_id", "pk")
        .values_list(
            "scorecard__assessment__application_id",
            "scorecard__assessment__application__candidate__first_name",
            "scorecard__assessment__application__candidate__last_name",
            "scorecard__assessment__application__role__title",
            "scorecard__assessment__stage__name",
            "criterion__core_value__name",
            "criterion__prompt",
            "scorecard__panellist__user__full_name",
            "scorecard__panellist__panel_role",
            "level",
            "not_observed",
            "evidence",
            "scorecard__submitted_at",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    headers = [
        "Application",
        "First name",
        "Last name",
        "Role",
        "Stage",
        "Value",
        "Criterion",
        "Panellist",
        "Panel role",
        "Level",
        "Not observed",
        "Evidence",
        "Submitted",
    ]

    def readable() -> Iterator[Sequence[Any]]:
        for row in rows:
            yield (*row[:10], "yes" if row[10] else "no", *row[11:])

    return headers, readable()


# Research ------------------------------------------------------------------------------


def pseudonym(provider: Provider, kind: str, pk: int) -> str:
    """A stable id that cannot be turned back into ours without the server's secret."""
    secret = f"{settings.SECRET_KEY}:research:{provider.pk}".encode()
    digest = hmac.new(secret, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[0].upper()}-{digest[:12]}"


def research_export(
    provider: Provider, filters: ReportFilter, values: Sequence[CoreValue]
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """Anonymised rows for researchers: no names, contacts or free text, no equality answers
    (those only appear in the fairness report's suppressed aggregates). Dates are reduced to
    the month; retention is given as flags so the start date itself need not be shared."""
    submitted = Q(assessments__scorecards__submitted_at__isnull=False)
    averages = {
        f"value_{value.pk}": Avg(
            "assessments__scorecards__scores__level",
            filter=submitted & Q(assessments__scorecards__scores__criterion__core_value=value),
        )
        for value in values
    }
    overall = Avg("assessments__scorecards__scores__level", filter=submitted)
    rows = (
        filters.applications(provider)
        .annotate(overall=overall, **averages)
        .order_by("pk")
        .values_list(
            "pk",
            "role_id",
            "current_stage__order",
            "status",
            "source",
            "applied_at",
            "outcome__start_date",
            "outcome__left_on",
            "outcome__probation",
            "overall",
            *averages,
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    today = timezone.localdate()
    headers = [
        "Application (pseudonymous)",
        "Role (pseudonymous)",
        "Current stage number",
        "Status",
        "Source",
        "Applied (month)",
        "Mean level",
        "Values score band",
        *[f"{value.name} (mean level)" for value in values],
        "Probation",
        *[f"Stayed {months} months" for months in analytics.RETENTION_MONTHS],
    ]

    def anonymised() -> Iterator[Sequence[Any]]:
        for (
            pk,
            role_id,
            order,
            status,
            source,
            applied,
            start,
            left,
            probation,
            mean,
            *means,
        ) in rows:
            stayed = []
            for months in analytics.RETENTION_MONTHS:
                if start is None or analytics.add_months(start, months) > today:
                    stayed.append("")
                else:
                    milestone = analytics.add_months(start, months)
                    stayed.append("yes" if left is None or left >= milestone else "no")
            yield (
                pseudonym(provider, "application", pk),
                pseudonym(provider, "role", role_id),
                order,
                status,
                source,
                timezone.localtime(applied).strftime("%Y-%m"),
                None if mean is None else round(mean, 2),
                analytics.values_band(mean) if status == Application.Status.HIRED else "",
                *(None if m is None else round(m, 2) for m in means),
                probation or "",
                *stayed,
            )

    return headers, anonymised()
