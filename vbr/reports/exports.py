"""Exports: reports as CSV/XLSX, applications and scores streamed as CSV or written to XLSX
in constant memory (`write_xlsx`, see vbr.reports.spreadsheet), and the anonymised research export.

Rows come from `values_list(...).iterator()`, so a very large provider's export starts at once
and holds only one chunk in memory. Every text cell goes through `neutralise`, so that what a
candidate typed cannot become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    F,
    FloatField,
    JSONField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import (
    Cast,
    Concat,
    Left,
    Substr,
    TruncMinute,
)
from django.db.models.lookups import In
from django.utils import timezone

from vbr.accounts.models import Provider
from vbr.recruitment.models import Application, CoreValue, Outcome, Panellist, Score
from vbr.recruitment.scoring import value_level_key
from vbr.reports import analytics
from vbr.reports.queries import Report, ReportFilter
from vbr.reports.spreadsheet import FORMULA_FIRST
from vbr.reports.spreadsheet import write_xlsx as write_xlsx

# Rows per CSV chunk yielded to the response, and per fetch from the server-side cursor.
CHUNK_ROWS = 2000
FETCH_ROWS = 10000
COPY_BLOCK = 256 * 1024
# Memory for a large export's sort on PostgreSQL (the default, 4 MB, sent 100,000 rows to
# disk): per sort and per parallel worker, for the few seconds an export runs.
EXPORT_WORK_MEM = "32MB"


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


def inert(field: str) -> Case:
    """A text column as the database should hand it to an export: with an apostrophe before
    a formula's first character, like `neutralise`. Done in SQL so that a large export's
    rows can be written without touching each cell in Python."""
    return Case(
        When(In(Left(field, 1), sorted(FORMULA_FIRST)), then=Concat(Value("'"), F(field))),
        default=F(field),
        output_field=TextField(),
    )


def label_of(field: str, choices: Iterable[tuple[Any, Any]]) -> Case:
    """A choice column as the label people read on the pages ("Job board", not "job_board"),
    made in SQL like `inert`, so that a large export's rows still need no work in Python. A
    value without a label (blank, or one no longer offered) is written as it is stored."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=TextField(),
    )


def local_minute(field: str) -> Substr:
    """A time column as local "YYYY-MM-DD HH:MM" text, as `_cell` writes it, made in SQL."""
    truncated = TruncMinute(field, tzinfo=timezone.get_current_timezone())
    return Substr(Cast(truncated, CharField()), 1, 16)


def copy_csv_chunks(headers: Sequence[str], columns: QuerySet[Any]) -> Iterator[bytes]:
    """PostgreSQL writes the CSV itself (COPY (query) TO STDOUT, CSV format, which quotes as
    the csv module does; empty text comes out as ""), streamed in blocks of about
    COPY_BLOCK bytes. The query is the ORM's, so tenancy and filters are the same; its cells
    are made inert by the database (see `inert`). The header goes first, at once."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\n").writerow([_cell(h) for h in headers])
    yield buffer.getvalue().encode()
    try:
        sql, params = columns.query.sql_with_params()
    except EmptyResultSet:  # e.g. a manager of no role: nothing to ask the database
        return
    block = bytearray()
    with large_export(), connection.cursor() as cursor:
        copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
        with cursor.cursor.copy(copy_sql, params) as copy:
            for data in copy:
                block += data
                if len(block) >= COPY_BLOCK:
                    yield bytes(block)
                    block.clear()
    if block:
        yield bytes(block)


def database_csv_chunks(headers: Sequence[str], columns: QuerySet[Any]) -> Iterator[bytes]:
    """A large export whose cells the database has already made ready (inert text, local
    times): on PostgreSQL the database writes the CSV itself; elsewhere (the embedded demo)
    the rows stream through the csv module."""
    if connection.vendor == "postgresql":
        return copy_csv_chunks(headers, columns)
    return csv_chunks(headers, columns.iterator(chunk_size=FETCH_ROWS))


@contextmanager
def large_export() -> Iterator[None]:
    """A transaction on PostgreSQL for one large export's query: its sort kept in memory
    (`EXPORT_WORK_MEM`), and a cursor planned for reading every row, not the first few."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{EXPORT_WORK_MEM}'")
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        yield


def database_rows(columns: QuerySet[Any]) -> Iterator[Sequence[Any]]:
    """A large export's rows, whose cells the database has already made ready (inert text,
    local times, numbers), a chunk at a time. On PostgreSQL they are read in a transaction,
    so that the cursor streams (outside one it is kept WITH HOLD, and PostgreSQL makes the
    whole result before the first row), and as the driver gives them: Django's converters
    per row and column would change nothing here but cost a fifth of a large export's
    time. Elsewhere (the embedded demo), through Django's own iterator."""
    if connection.vendor != "postgresql":
        yield from columns.iterator(chunk_size=FETCH_ROWS)
        return
    try:
        sql, params = columns.query.sql_with_params()
    except EmptyResultSet:  # e.g. a manager of no role: nothing to ask the database
        return
    with large_export(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield from rows


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Encode rows as CSV in buffered chunks of CHUNK_ROWS rows (one yield per chunk), each
    cell through `_cell` (neutralised text, local times)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_cell(h) for h in headers])
    cells = ([_cell(v) for v in row] for row in rows)
    while chunk := list(islice(cells, CHUNK_ROWS)):
        writer.writerows(chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# Reports -------------------------------------------------------------------------------


def report_csv_rows(report: Report) -> Iterator[list[Any]]:
    """All of a report's tables one after another, each under its caption and above its
    note, as on the page (a note can say why a cell is empty: "not shown")."""
    for number, section in enumerate(report.sections):
        if number:
            yield []
        yield [section.table.caption]
        yield list(section.table.headers)
        yield from section.table.rows
        if section.note:
            yield [section.note]


def report_sheets(report: Report) -> list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]:
    return [
        (f"{number + 1} {section.heading}"[:31], section.table.headers, section.table.rows)
        for number, section in enumerate(report.sections)
    ]


# Applications and scores ---------------------------------------------------------------


def provider_values(provider: Provider) -> list[CoreValue]:
    return list(provider.core_values.order_by("order", "name"))


def application_headers(values: Sequence[CoreValue]) -> list[str]:
    return [
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


def stored_mean(core_value_id: int) -> KeyTextTransform:
    """The mean submitted level of a value as text ("3.5", "2.12"), as stored on the
    application (Application.value_levels, kept by the workflow, rounded there): NULL when it
    has none. Reading it is one row per application, where averaging reads every score.
    The value's entry is taken first and its third item from that (`-> 'v1' ->> 2` on
    PostgreSQL, where a path `#>> '{v1,2}'` cost a large export a twentieth of its time)."""
    entry = ExpressionWrapper(
        KeyTransform(value_level_key(core_value_id), "value_levels"), output_field=JSONField()
    )
    return KeyTextTransform("2", entry)


def application_columns(
    provider: Provider, filters: ReportFilter, values: Sequence[CoreValue], *, as_text: bool
) -> QuerySet[Any]:
    """One row per application with the mean submitted level per value (rounded to 2
    places), in one query over the applications. The database makes the text inert and the
    times local text, so rows go to a writer as they are; means as numbers, or `as_text` as
    they are stored ("2.0", "3.12")."""
    return (
        filters.applications(provider)
        .order_by("pk")
        .values_list(
            "pk",
            inert("candidate__first_name"),
            inert("candidate__last_name"),
            inert("candidate__email"),
            inert("role__title"),
            inert("current_stage__name"),
            label_of("status", Application.Status.choices),
            label_of("source", Application.Source.choices),
            local_minute("applied_at"),
            *[
                stored_mean(value.pk) if as_text else Cast(stored_mean(value.pk), FloatField())
                for value in values
            ],
        )
    )


def applications_export(
    provider: Provider, filters: ReportFilter, values: Sequence[CoreValue]
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The applications export's rows (see `application_columns`), for XLSX."""
    rows = application_columns(provider, filters, values, as_text=False)
    return application_headers(values), database_rows(rows)


def applications_csv_chunks(
    provider: Provider, filters: ReportFilter, values: Sequence[CoreValue]
) -> Iterator[bytes]:
    """The applications CSV, streamed (see `database_csv_chunks`)."""
    columns = application_columns(provider, filters, values, as_text=True)
    return database_csv_chunks(application_headers(values), columns)


def scores_csv_chunks(provider: Provider, filters: ReportFilter) -> Iterator[bytes]:
    """The scores CSV, streamed (see `database_csv_chunks`)."""
    return database_csv_chunks(SCORE_HEADERS, score_columns(provider, filters))


SCORE_HEADERS = [
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


def _answered_scores(provider: Provider, filters: ReportFilter) -> QuerySet[Score]:
    """Answered scores on submitted scorecards, in the order of the scores export."""
    scores: QuerySet[Score] = Score.objects.filter(
        scorecard__submitted_at__isnull=False,
        scorecard__assessment__application__in=filters.applications(provider),
    ).filter(Q(level__isnull=False) | Q(not_observed=True))
    if filters.stage_id:
        scores = scores.filter(scorecard__assessment__stage_id=filters.stage_id)
    return scores.order_by("scorecard__assessment__application_id", "scorecard_id", "pk")


NOT_OBSERVED = Case(When(not_observed=True, then=Value("yes")), default=Value("no"))


def score_columns(provider: Provider, filters: ReportFilter) -> QuerySet[Any]:
    """One row per answered score on a submitted scorecard, inert and ready to write."""
    return _answered_scores(provider, filters).values_list(
        "scorecard__assessment__application_id",
        inert("scorecard__assessment__application__candidate__first_name"),
        inert("scorecard__assessment__application__candidate__last_name"),
        inert("scorecard__assessment__application__role__title"),
        inert("scorecard__assessment__stage__name"),
        inert("criterion__core_value__name"),
        inert("criterion__prompt"),
        inert("scorecard__panellist__user__full_name"),
        label_of("scorecard__panellist__panel_role", Panellist.PanelRole.choices),
        "level",
        NOT_OBSERVED,
        inert("evidence"),
        local_minute("scorecard__submitted_at"),
    )


def scores_export(
    provider: Provider, filters: ReportFilter
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The scores export's rows (see `score_columns`), for XLSX."""
    return list(SCORE_HEADERS), database_rows(score_columns(provider, filters))


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
    # Means come from the per-value totals stored on each application (as the applications
    # export's do): the overall mean weighs every submitted level alike, as averaging them would.
    rows = (
        filters.applications(provider)
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
            "value_levels",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    keys = [value_level_key(value.pk) for value in values]
    today = timezone.localdate()
    # Choices as people read them, as in the other exports.
    statuses = dict(Application.Status.choices)
    sources = dict(Application.Source.choices)
    probations = dict(Outcome.Probation.choices)
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
            levels,
        ) in rows:
            count = sum(n for _total, n, _mean in levels.values())
            mean = sum(total for total, _n, _mean in levels.values()) / count if count else None
            means = [levels[key][2] if key in levels else None for key in keys]
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
                statuses.get(status, status),
                sources.get(source, source),
                timezone.localtime(applied).strftime("%Y-%m"),
                None if mean is None else round(mean, 2),
                analytics.values_band(mean) if status == Application.Status.HIRED else "",
                *means,
                probations.get(probation, probation or ""),
                *stayed,
            )

    return headers, anonymised()
